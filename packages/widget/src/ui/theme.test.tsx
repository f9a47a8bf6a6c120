import { readFileSync } from 'node:fs'
import { cleanup, screen } from '@testing-library/preact'
import { afterEach, expect, test } from 'vitest'
import { offlineWidget, renderWidget } from '../../test/helpers.js'

afterEach(cleanup)

// The stylesheet as written (the test runner turns CSS imports into empty strings).
const css = readFileSync(`${import.meta.dirname}/widget.css`, 'utf8')

const root = (container: Element) => container.querySelector('.root') as HTMLElement

test('theme.launcherIcon replaces the built-in icon with a decorative image; the label stays the name', () => {
  const { container } = renderWidget(offlineWidget({ theme: { launcherIcon: '/brand/help.svg' } }))
  const launcher = screen.getByRole('button', { name: 'Ask a human' })
  const icon = launcher.querySelector('img') as HTMLImageElement
  expect(icon.getAttribute('src')).toBe('/brand/help.svg')
  expect(icon.getAttribute('alt')).toBe('')
  expect(launcher.querySelector('svg')).toBeNull()
  expect(root(container).querySelectorAll('img')).toHaveLength(1)
})

test('without launcherIcon the launcher shows the built-in speech bubble', () => {
  renderWidget(offlineWidget())
  const launcher = screen.getByRole('button', { name: 'Ask a human' })
  expect(launcher.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true')
  expect(launcher.querySelector('img')).toBeNull()
})

test.each([
  ['dark', 'dark'],
  ['light', 'light'],
  ['auto', 'auto'],
  [undefined, 'auto'],
] as const)('theme.mode %s sets data-theme="%s" on the widget root', (mode, expected) => {
  const { container } = renderWidget(offlineWidget({ theme: mode ? { mode } : {} }))
  expect(root(container).getAttribute('data-theme')).toBe(expected)
})

/** The text of the block that starts at `from` (its braces balanced). */
function block(text: string, from: number): string {
  let depth = 0
  for (let i = text.indexOf('{', from); i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}' && --depth === 0) return text.slice(from, i + 1)
  }
  return ''
}

/** The custom properties set by the rule for `selector` in widget.css (inside `@media media` if given). */
function variables(selector: string, media?: string): Record<string, string> {
  let text = css.replace(/\/\*[\s\S]*?\*\//g, '')
  const at = media ? text.search(new RegExp(`@media\\s*${media.replace(/[()]/g, '\\$&')}`)) : -1
  if (media) text = at < 0 ? '' : block(text, at).slice(block(text, at).indexOf('{') + 1)
  else
    for (let m = text.indexOf('@media'); m >= 0; m = text.indexOf('@media'))
      text = text.replace(block(text, m), '')
  const escaped = selector.replace(/[.[\]"=]/g, '\\$&')
  const body = text.match(new RegExp(`(?:^|[{}])\\s*${escaped}\\s*\\{([^}]*)\\}`))?.[1] ?? ''
  const pairs = [...body.matchAll(/(--(?:bg|fg|muted|line))\s*:\s*([^;}]+)/g)]
  return Object.fromEntries(pairs.map(([, name, value]) => [name, (value ?? '').trim()]))
}

test('light is the default palette; dark replaces it; auto follows the system only when it is dark', () => {
  const light = variables('.root')
  const dark = variables('.root[data-theme="dark"]')
  expect(light).toMatchObject({ '--bg': '#fff', '--fg': '#111827' })
  expect(dark).toMatchObject({ '--bg': '#111827', '--fg': '#f3f4f6' })
  // 'auto' uses the same dark palette, inside prefers-color-scheme: dark; 'light' has no rule of its
  // own, so it keeps the default palette whatever the system says.
  expect(variables('.root[data-theme="auto"]', '(prefers-color-scheme: dark)')).toEqual(dark)
  expect(variables('.root[data-theme="light"]')).toEqual({})
  expect(variables('.root[data-theme="light"]', '(prefers-color-scheme: dark)')).toEqual({})
})

test('right to left: nothing floats to a physical side (Arabic would need it mirrored)', () => {
  expect(css).not.toMatch(/float:\s*(left|right)/)
  expect(css).toMatch(/legend\s*\{[^}]*float:\s*inline-start/)
})
