// What the XSS test checks in a rendered transcript, run inside the page (page.evaluate): no element
// or attribute that can run code, only safe links, each payload shown once per sender, code intact.
import type { Page } from 'playwright-core'

export interface Expectation {
  marker: string
  /** How many message items must carry the marker (0: only check safety, not completeness). */
  times: number
  code: string[]
}

export interface Findings {
  /** Message items inspected. */
  items: number
  /** Markers shown a different number of times than expected: `P017 ×1 (want 2)`. */
  miscounted: string[]
  /** script/iframe/object/embed… anywhere in the widget's shadow root or the app's root. */
  forbidden: string[]
  /** Elements with an on* attribute anywhere in that root. */
  handlers: string[]
  /** Elements or attributes inside a message that markdown never produces. */
  foreign: string[]
  links: number
  /** Links that are not http/https/mailto, or do not open in a new tab without an opener. */
  badLinks: string[]
  codeChecked: number
  /** Code blocks not shown byte for byte. */
  codeMismatch: string[]
}

/**
 * Inspects the widget (`scope: 'widget'`) or a React app's `#root`, optionally within one element. A long
 * transcript in the widget is a virtual list (the rows near the visible part are in the DOM): its log is
 * scrolled from the first message to the last, and every row is inspected as it was rendered.
 */
export function inspect(page: Page, scope: 'widget' | 'app', expectations: Expectation[], within?: string) {
  return page.evaluate(
    async ([scope, expectations, within]) => {
      const root =
        scope === 'widget'
          ? document.querySelector('suportra-widget')?.shadowRoot
          : document.getElementById('root')
      const findings: Findings = {
        items: 0,
        miscounted: [],
        forbidden: [],
        handlers: [],
        foreign: [],
        links: 0,
        badLinks: [],
        codeChecked: 0,
        codeMismatch: [],
      }
      if (!root) {
        findings.forbidden.push('no root to inspect')
        return findings
      }
      const area = within ? root.querySelector(within) : root
      const describe = (el: Element) => `<${el.tagName.toLowerCase()}> in "${el.textContent?.slice(0, 40)}"`
      const FORBIDDEN =
        'script,iframe,frame,frameset,object,embed,applet,base,meta,link,style,noscript,template,portal'
      for (const el of root.querySelectorAll(FORBIDDEN)) findings.forbidden.push(describe(el))
      for (const el of root.querySelectorAll('*')) {
        for (const name of el.getAttributeNames()) {
          if (name.toLowerCase().startsWith('on')) findings.handlers.push(`${name} on ${describe(el)}`)
        }
      }
      const TAGS = new Set(
        'P BR STRONG EM CODE PRE A UL OL LI FIGURE FIGCAPTION SPAN BUTTON SMALL DIV'.split(' '),
      )
      const ATTRIBUTES = new Set([
        'class',
        'href',
        'target',
        'rel',
        'type',
        'tabindex',
        'role',
        'aria-hidden',
      ])
      let items = [...(area?.querySelectorAll('li.message') ?? [])]
      const log = area?.querySelector<HTMLElement>('.log')
      if (log?.querySelector('li[aria-posinset]')) {
        // Copies of the rows rendered on the way, by their place in the whole; checked like the others.
        const seen = new Map<string | null, Element>()
        const frame = () =>
          new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
        log.scrollTop = -log.scrollHeight
        await frame()
        for (let step = 0; step < 5_000; step++) {
          for (const li of log.querySelectorAll('li.message'))
            seen.set(li.getAttribute('aria-posinset'), li.cloneNode(true) as Element)
          if (log.scrollTop >= 0) break
          log.scrollTop = Math.min(0, log.scrollTop + log.clientHeight / 2)
          await frame()
        }
        items = [...seen.values()]
        const copies = document.createElement('div')
        copies.append(...items)
        for (const el of copies.querySelectorAll(FORBIDDEN)) findings.forbidden.push(describe(el))
        for (const el of copies.querySelectorAll('*'))
          for (const name of el.getAttributeNames())
            if (name.toLowerCase().startsWith('on')) findings.handlers.push(`${name} on ${describe(el)}`)
        // (Links of the rows on screen at the end are counted again below.)
        for (const a of copies.querySelectorAll('a')) {
          findings.links++
          const rel = (a.getAttribute('rel') ?? '').split(/\s+/)
          if (
            !/^(https?|mailto):/.test(a.href) ||
            a.target !== '_blank' ||
            !rel.includes('noopener') ||
            !rel.includes('noreferrer')
          )
            findings.badLinks.push(`${a.getAttribute('href')} target=${a.target} rel=${rel.join(' ')}`)
        }
      }
      findings.items = items.length
      for (const item of items) {
        for (const el of item.querySelectorAll('*')) {
          if (!TAGS.has(el.tagName)) findings.foreign.push(describe(el))
          for (const name of el.getAttributeNames()) {
            if (!ATTRIBUTES.has(name)) findings.foreign.push(`${name}= on ${describe(el)}`)
          }
        }
      }
      for (const a of root.querySelectorAll('a')) {
        findings.links++
        const href = a.getAttribute('href')
        let protocol = ''
        try {
          protocol = new URL(href ?? '').protocol
        } catch {}
        const rel = (a.getAttribute('rel') ?? '').split(/\s+/)
        const safe =
          ['http:', 'https:', 'mailto:'].includes(protocol) &&
          a.target === '_blank' &&
          rel.includes('noopener') &&
          rel.includes('noreferrer')
        if (!safe) findings.badLinks.push(`${href} target=${a.target} rel=${rel.join(' ')}`)
      }
      for (const { marker, times, code } of expectations) {
        const carrying = items.filter((item) => item.textContent?.includes(marker))
        if (times && carrying.length !== times)
          findings.miscounted.push(`${marker} ×${carrying.length} (want ${times})`)
        for (const item of carrying) {
          const blocks = [...item.querySelectorAll('pre')].map((pre) => pre.textContent)
          for (const content of code) {
            findings.codeChecked++
            if (!blocks.includes(content)) findings.codeMismatch.push(`${marker}: ${JSON.stringify(blocks)}`)
          }
        }
      }
      return findings
    },
    [scope, expectations, within] as const,
  )
}

/** Adds one inspection's findings to a running total. */
export function addUp(total: Findings, next: Findings): Findings {
  return {
    items: total.items + next.items,
    miscounted: [...total.miscounted, ...next.miscounted],
    forbidden: [...total.forbidden, ...next.forbidden],
    handlers: [...total.handlers, ...next.handlers],
    foreign: [...total.foreign, ...next.foreign],
    links: total.links + next.links,
    badLinks: [...total.badLinks, ...next.badLinks],
    codeChecked: total.codeChecked + next.codeChecked,
    codeMismatch: [...total.codeMismatch, ...next.codeMismatch],
  }
}

export const NOTHING: Findings = {
  items: 0,
  miscounted: [],
  forbidden: [],
  handlers: [],
  foreign: [],
  links: 0,
  badLinks: [],
  codeChecked: 0,
  codeMismatch: [],
}
