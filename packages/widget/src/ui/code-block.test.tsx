import { act, cleanup, fireEvent, screen } from '@testing-library/preact'
import { afterEach, expect, test, vi } from 'vitest'
import { offlineWidget, renderPart } from '../../test/helpers.js'
import { CodeBlock } from './code-block.js'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
  vi.restoreAllMocks()
})

test('shows the language and the code as text, in a focusable scrollable block', () => {
  const { container } = renderPart(<CodeBlock language="tsx" content={'<App />\n\tindented'} />)
  expect(container.querySelector('figcaption')?.textContent).toContain('tsx')
  const pre = container.querySelector('pre') as HTMLElement
  expect(pre.textContent).toBe('<App />\n\tindented')
  expect(pre.getAttribute('tabindex')).toBe('0')
})

test('without a language it is labelled "text"', () => {
  const { container } = renderPart(<CodeBlock language="" content="plain" />)
  expect(container.querySelector('figcaption span')?.textContent).toBe('text')
})

test('Copy puts the exact code on the clipboard and says so for a moment', async () => {
  const content = 'export const x = 1\n'
  renderPart(<CodeBlock language="ts" content={content} />)
  vi.useFakeTimers()

  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }))
  })

  expect(await navigator.clipboard.readText()).toBe(content)
  expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy()
  await act(() => {
    vi.advanceTimersByTime(1500)
  })
  expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy()
})

test('when the clipboard is refused nothing breaks and the label stays "Copy"', async () => {
  vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('denied', 'NotAllowedError'))
  renderPart(<CodeBlock language="ts" content="x" />)

  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }))
  })

  expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy()
})

test('unmounting (the panel closes, destroy()) leaves no "Copied" timer running', async () => {
  vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue()
  const { unmount } = renderPart(<CodeBlock language="ts" content="x" />)
  vi.useFakeTimers()
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }))
  })
  expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy()
  expect(vi.getTimerCount()).toBe(1)

  unmount()

  expect(vi.getTimerCount()).toBe(0)
})

test('the "text" label comes from the catalogue', async () => {
  const { loadCatalog } = await import('../i18n/i18n.js')
  await loadCatalog('de')
  const { container } = renderPart(<CodeBlock language="" content="plain" />, offlineWidget({ locale: 'de' }))
  expect(container.querySelector('figcaption span')?.textContent).toBe('Text')
})
