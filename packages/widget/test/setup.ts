import { loadCatalog, loadPart } from '../src/i18n/i18n.js'
import { NodeXHR } from './node-xhr.js'

// Catalogues load on demand in the widget; tests start with English in (the parts that load later
// too: the screens behind a click render at once), so a render shows text at once.
await loadCatalog('en')
await loadPart('en', 'later')
await loadPart('en', 'account')

// Uploads go through XMLHttpRequest (for their progress); happy-dom's cannot report it: see node-xhr.ts.
globalThis.XMLHttpRequest = NodeXHR as unknown as typeof XMLHttpRequest
