// The vendor's page script: the Suportra(...) queue stub (calls made before widget.js has loaded are
// kept and replayed), a "Get help" button that opens the widget, and a counter of the page's own, to
// prove the page keeps working.
window.Suportra ??= Object.assign((...args) => window.Suportra.q.push(args), { q: [] })

document.addEventListener('DOMContentLoaded', () => {
  let clicks = 0
  const counter = document.getElementById('counter')
  counter?.addEventListener('click', () => {
    clicks++
    counter.textContent = `Clicked ${clicks} times`
  })
  document.getElementById('help')?.addEventListener('click', () => Suportra('open'))
})
