// A user's client in its own process, so the sleep scenario can freeze it for real: SIGSTOP stops
// its timers, its socket reads and its pings at once, as a laptop lid or a frozen background tab
// does; SIGCONT wakes it with every timer late. It uses the built client (dist/), like a script.
// The parent drives it over IPC: { type: 'send', texts } | { type: 'snapshot' } | { type: 'settled' }.
import { createClient, memoryStorage } from '@suportra/client'
import WebSocket from 'ws'

const { SLEEPER_URL, SLEEPER_APP, SLEEPER_EMAIL, SLEEPER_PASSWORD, SLEEPER_SESSION } = process.env

/** What came over the wire: replays after a resume, and `continuity_lost` (which makes the client reload). */
const frames = { ready: 0, continuityLost: 0, messages: 0 }
class CountingWebSocket extends WebSocket {
  constructor(url) {
    super(url)
    this.addEventListener('message', ({ data }) => {
      const type = JSON.parse(String(data)).type
      if (type === 'ready') frames.ready++
      if (type === 'continuity_lost') frames.continuityLost++
      if (type === 'message') frames.messages++
    })
  }
}

const client = createClient({
  baseUrl: SLEEPER_URL,
  appId: SLEEPER_APP,
  storage: memoryStorage(),
  WebSocket: CountingWebSocket,
})
await client.auth.signIn({ email: SLEEPER_EMAIL, password: SLEEPER_PASSWORD })
const handle = client.sessions.get(SLEEPER_SESSION)
handle.$messages.listen(() => {})
await handle.load()
const sends = []
let failed = 0

const view = () =>
  handle.$messages.get().map(({ id, seq, status, body, author }) => ({ id, seq, status, body, author }))

process.on('message', async (command) => {
  if (command.type === 'send') {
    for (const text of command.texts)
      sends.push(
        handle.send(text).catch(() => {
          failed++
        }),
      )
    process.send({ type: 'queued' })
  } else if (command.type === 'settled') {
    await Promise.all(sends)
    process.send({ type: 'settled', failed })
  } else if (command.type === 'snapshot') {
    // What the user scrolls through: everything shown now, and older pages if the view was reloaded.
    const shownBeforeScrolling = handle.$messages.get().length
    while (await handle.loadOlder().catch(() => false));
    process.send({
      type: 'snapshot',
      messages: view(),
      shownBeforeScrolling,
      frames,
      connection: client.$connection.get(),
    })
  }
})
process.send({ type: 'ready' })
