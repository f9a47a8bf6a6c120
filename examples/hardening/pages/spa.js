// A single-page app the way frameworks do it: links call history.pushState and the page is drawn
// again. Each page is drawn differently, as real apps do: replacing the body's children, replacing
// the body element itself, or assigning innerHTML.
const PAGES = {
  home: { title: 'Home', draw: 'innerHTML' },
  pricing: { title: 'Pricing', draw: 'replaceChildren' },
  docs: { title: 'Docs', draw: 'replaceBody' },
  blog: { title: 'Blog', draw: 'none' },
  changelog: { title: 'Changelog', draw: 'none' },
}

function content(name) {
  const nav = Object.keys(PAGES)
    .map((page) => `<a href="?page=${page}" data-page="${page}">${PAGES[page].title}</a>`)
    .join(' ')
  return `<header class="top"><strong>Pixel Forge</strong><nav>${nav}</nav></header>
    <main><h1 id="page-title">${PAGES[name].title}</h1><p>Drawn with ${PAGES[name].draw}.</p></main>`
}

function draw(name, first = false) {
  const page = PAGES[name] ? name : 'home'
  const { draw } = PAGES[page]
  if (first || draw === 'innerHTML') document.body.innerHTML = content(page)
  else if (draw === 'replaceChildren') {
    const template = document.createElement('template')
    template.innerHTML = content(page)
    document.body.replaceChildren(template.content)
  } else if (draw === 'replaceBody') {
    const body = document.createElement('body')
    body.innerHTML = content(page)
    document.documentElement.replaceChild(body, document.body)
  } else document.getElementById('page-title').textContent = PAGES[page].title
  document.title = `Pixel Forge — ${PAGES[page].title}`
}

document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-page]')
  if (!link) return
  event.preventDefault()
  history.pushState({}, '', link.href)
  draw(link.dataset.page)
})
addEventListener('popstate', () => draw(new URLSearchParams(location.search).get('page')))
// The app's first render replaces whatever the server sent, as client-rendered apps do.
document.addEventListener('DOMContentLoaded', () =>
  draw(new URLSearchParams(location.search).get('page'), true),
)
