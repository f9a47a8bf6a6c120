import { signal } from '@preact/signals'
import { cleanup, screen } from '@testing-library/preact'
import { afterEach, expect, test } from 'vitest'
import { renderPart, type } from '../../test/helpers.js'
import { Field } from './field.js'

afterEach(cleanup)

test('a field shows its binding, writes what is typed back to it, and is labelled from the catalogue', () => {
  const email = signal('ada@example.com')
  renderPart(<Field label="email" type="email" required autocomplete="email" bind={email} />)

  const input = screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement
  expect(input.value).toBe('ada@example.com')
  expect([input.name, input.type, input.required, input.autocomplete]).toEqual([
    'email',
    'email',
    true,
    'email',
  ])

  type(input, 'grace@example.com')
  expect(email.value).toBe('grace@example.com')
})

test('a value set elsewhere shows in the field; multiline makes it a textarea with its hint', async () => {
  const topic = signal('')
  renderPart(<Field label="topic" name="about" multiline hint="Say what fails" bind={topic} />)
  const area = screen.getByRole('textbox', { name: 'Describe the blocker' }) as HTMLTextAreaElement
  expect([area.localName, area.name, area.placeholder]).toEqual(['textarea', 'about', 'Say what fails'])

  topic.value = 'Deploy fails'
  await Promise.resolve()

  expect(area.value).toBe('Deploy fails')
})
