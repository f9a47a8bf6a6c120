import { loadCatalog } from '../src/i18n/i18n.js'

// Catalogues load on demand in the widget; tests start with English in, so a render shows text at once.
await loadCatalog('en')
