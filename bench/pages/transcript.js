// Boots the production widget bundle (what widget.js loads when the widget opens) and exposes the
// instance, whose `client` the transcript benchmark drives (sign-in, loadOlder).
import { boot } from '%SUPORTRA_URL%/widget/app.js'

window.__widget = boot({ appId: 'app_demo', baseUrl: '%SUPORTRA_URL%', locale: 'en' }, [])
