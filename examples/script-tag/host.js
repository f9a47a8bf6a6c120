// The vendor's page script: the Suportra(...) queue stub (calls made before widget.js has loaded are
// kept and replayed in order), an "Ask a human" button that opens the widget with the current tool,
// file, error and diff, and a sign-in that identifies the user with a token from the vendor's backend.
window.Suportra ??= Object.assign((...args) => window.Suportra.q.push(args), { q: [] })

Suportra('on', 'session-started', (event) => console.log('Suportra session started', event.session.id))

// "Apply in <tool>" on a builder's patch: a real tool would apply the diff to the open project (and
// answer { applied: false, detail } when it does not apply). This page keeps it and shows it.
window.appliedPatches = []
Suportra('on', 'patch', async ({ patch }) => {
  window.appliedPatches.push(patch)
  const shown = document.getElementById('applied')
  if (shown) shown.textContent = `Applied: ${patch.description || 'a patch'}`
  return { applied: true }
})

document.addEventListener('DOMContentLoaded', () => {
  const file = document.getElementById('file')
  const error = document.getElementById('error')
  document.getElementById('ask').addEventListener('click', () => {
    Suportra('open', {
      tool: 'v0',
      topic: 'Hydration error after adding a date to the page',
      // What the user was looking at; they see it, and can remove parts, before anything is shared.
      context: {
        url: location.href,
        tool: { name: 'Vibe IDE', version: '2.4.1' },
        file: { path: file.dataset.path, language: 'tsx', content: file.textContent },
        error: { message: error.textContent, stack: error.dataset.stack },
        diff: document.getElementById('diff').textContent,
      },
    })
  })
  document.getElementById('identify').addEventListener('click', async () => {
    const { token } = await (await fetch('/api/identity-token?name=Linus')).json()
    Suportra('identify', { token })
    Suportra('open')
  })
})
