// What a person sees of the open panel, measured inside the page: is the newest builder message on
// screen and readable, how much of the panel the message list keeps, and whether anything inside the
// panel sticks out of it (which makes the panel or its form scroll sideways).
import type { Page } from 'playwright-core'

export interface PanelGeometry {
  panel: { width: number; height: number }
  /** The message list's height as a share of the panel's (0–1). */
  listShare: number
  /** Why the newest builder message is not visible and readable ('' when it is). */
  newest: string
  /** Elements wider than the panel or sticking out of it, or scrolling sideways (only code may, in its <pre>). */
  overflowing: string[]
}

/** Waits two frames (layout, the widget's visual-viewport listeners, paint). */
export const settle = (page: Page) =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))

/** Measures the widget's open panel. */
export function measurePanel(page: Page): Promise<PanelGeometry> {
  return page.evaluate(() => {
    const root = document.querySelector('suportra-widget')?.shadowRoot
    const panel = root?.querySelector<HTMLElement>('.panel')
    if (!root || !panel) throw new Error('no open panel')
    const p = panel.getBoundingClientRect()
    const log = panel.querySelector<HTMLElement>('.log')?.getBoundingClientRect()
    const vv = window.visualViewport as VisualViewport
    const describe = (el: Element) =>
      `<${el.localName}${el.className ? `.${String(el.className).trim().replaceAll(/\s+/g, '.')}` : ''}> "${(el.textContent ?? '').trim().slice(0, 30)}"`

    let newest = ''
    const item = [...panel.querySelectorAll('li.message.theirs')].at(-1) as HTMLElement | undefined
    if (!log) newest = 'no message list'
    else if (!item) newest = 'no builder message'
    else {
      const r = item.getBoundingClientRect()
      const view = {
        top: Math.max(log.top, p.top, vv.offsetTop, 0),
        bottom: Math.min(log.bottom, p.bottom, vv.offsetTop + vv.height),
        left: Math.max(p.left, vv.offsetLeft, 0),
        right: Math.min(p.right, vv.offsetLeft + vv.width),
      }
      const size = Number.parseFloat(getComputedStyle(item).fontSize)
      if (r.height < 1 || r.width < 1) newest = 'it has no size'
      else if (
        r.top < view.top - 1 ||
        r.bottom > view.bottom + 1 ||
        r.left < view.left - 1 ||
        r.right > view.right + 1
      )
        newest = `it is at ${Math.round(r.top)}–${Math.round(r.bottom)} px, the visible list ${Math.round(view.top)}–${Math.round(view.bottom)} px`
      else if (size < 12) newest = `its text is ${size}px`
      else {
        // What is drawn at its centre and near each end of its first line is the message itself.
        const points: [number, number][] = [
          [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
          [r.left + 12, r.top + 12],
          [r.right - 12, r.top + 12],
        ]
        for (const [x, y] of points) {
          const hit = root.elementFromPoint(x, y)
          if (!hit || !(hit === item || item.contains(hit))) {
            newest = `at (${Math.round(x)}, ${Math.round(y)}) the screen shows ${hit ? describe(hit) : 'nothing'}`
            break
          }
        }
      }
    }

    // Only code may be wider than the panel, and only inside its own block (the <pre>, which scrolls).
    const overflowing: string[] = []
    for (const el of panel.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      if ((r.width === 0 && r.height === 0) || el.parentElement?.closest('pre')) continue
      if (r.width > p.width + 1 || r.left < p.left - 1 || r.right > p.right + 1)
        overflowing.push(`${describe(el)} ${Math.round(r.left)}–${Math.round(r.right)} px`)
      // Nothing else scrolls sideways (the panel's body, the message list, a form) or cuts its content
      // off at the edge (an ellipsis is a visible cut, and allowed).
      const style = getComputedStyle(el)
      if (
        el.localName !== 'pre' &&
        !el.classList.contains('sr') &&
        style.overflowX !== 'visible' &&
        style.textOverflow !== 'ellipsis' &&
        el.scrollWidth > el.clientWidth + 1
      )
        overflowing.push(`${describe(el)} is ${el.scrollWidth} px wide inside (${el.clientWidth} px shown)`)
    }
    if (p.right > vv.offsetLeft + vv.width + 1 || p.left < vv.offsetLeft - 1)
      overflowing.push(
        `the panel (${Math.round(p.left)}–${Math.round(p.right)} px) is wider than the visible page`,
      )
    return {
      panel: { width: Math.round(p.width), height: Math.round(p.height) },
      listShare: log ? log.height / p.height : 0,
      newest,
      overflowing: overflowing
        .slice(0, 5)
        .concat(overflowing.length > 5 ? [`…${overflowing.length - 5} more`] : []),
    }
  })
}
