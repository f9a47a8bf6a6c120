// The vendor's page script: the Suportra(...) queue stub (calls made before widget.js has loaded are
// kept and replayed in order), an "Ask a human" button that opens the widget with the current tool,
// error and file, and a sign-in that identifies the user with a token from the vendor's backend.
window.Suportra ??= Object.assign((...args) => window.Suportra.q.push(args), { q: [] })

Suportra('on', 'session-started', (event) => console.log('Suportra session started', event.session.id))

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('ask').addEventListener('click', () => {
    Suportra('open', {
      tool: 'v0',
      topic: 'Hydration error after adding a date to the page',
      context: {
        url: location.href,
        file: document.getElementById('file').textContent,
        error: document.getElementById('error').textContent,
      },
    })
  })
  document.getElementById('identify').addEventListener('click', async () => {
    const { token } = await (await fetch('/api/identity-token?name=Linus')).json()
    Suportra('identify', { token })
    Suportra('open')
  })
})
