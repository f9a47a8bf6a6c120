import { cleanup, fireEvent, screen } from '@testing-library/preact'
import type { ComponentType } from 'preact'
import { afterEach, expect, test, vi } from 'vitest'
import { renderPart } from '../../test/helpers.js'
import { lazy } from './lazy.js'

afterEach(() => {
  cleanup()
  vi.doUnmock('./highlight.js')
})

test('a lazy part says it is loading, then shows itself', async () => {
  let done = (_: ComponentType) => {}
  const Part = lazy(() => new Promise<ComponentType>((resolve) => (done = resolve)))
  renderPart(<Part />)
  expect(screen.getByRole('status').textContent).toBe('Loading… ')

  done(() => <p>Loaded part</p>)

  expect(await screen.findByText('Loaded part')).toBeTruthy()
  expect(screen.queryByRole('status')).toBeNull()
})

test('a chunk that fails to load says so with Retry, and Retry loads it again', async () => {
  let attempts = 0
  const Part = lazy(async () => {
    attempts++
    if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module')
    return () => <p>Loaded part</p>
  })
  renderPart(<Part />)

  const alert = await screen.findByRole('alert')
  expect(alert.textContent).toContain('Something went wrong')
  fireEvent.click(screen.getByRole('button', { name: 'Retry' }))

  expect(await screen.findByText('Loaded part')).toBeTruthy()
  expect(attempts).toBe(2)
})

test('plain unlabelled text (an error stack in the context) loads no highlighter; a language does', async () => {
  const loads = vi.fn()
  vi.doMock('./highlight.js', async (original) => {
    loads()
    return original()
  })
  // Imported after the mock (nothing in this file imported it before).
  const { CodeBlock } = await import('./code-block.js')
  renderPart(<CodeBlock language="" content={'TypeError: x is undefined\n    at build (app.ts:3)'} />)
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(loads).not.toHaveBeenCalled()

  renderPart(<CodeBlock language="ts" content="const x = 1" />)
  await vi.waitFor(() => expect(loads).toHaveBeenCalledTimes(1))
})
