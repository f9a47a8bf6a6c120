import { createClient } from '@suportra/client'
import { SuportraProvider } from '@suportra/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.js'
import { apiUrl } from './chat-parts.js'
import './styles.css'

// One client for the app's lifetime, created outside React.
const client = createClient({ baseUrl: apiUrl(), appId: 'app_demo' })

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <SuportraProvider client={client}>
      <App />
    </SuportraProvider>
  </StrictMode>,
)
