import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { afterEach, expect, test, vi } from 'vitest'
import { DEMO, offlineWidget, openPanel, renderWidget, setupServer, type } from '../../test/helpers.js'
import { ar } from './ar.js'
import { de } from './de.js'
import { en } from './en.js'
import { es } from './es.js'

const harness = setupServer()
afterEach(() => {
  vi.restoreAllMocks()
})

const root = (container: Element) => container.querySelector('.root') as HTMLElement

test.each([
  ['es', es],
  ['de', de],
  ['ar', ar],
])('locale %s loads its catalogue', async (locale, catalog) => {
  const { container } = renderWidget(offlineWidget({ locale }))

  expect(await screen.findByRole('button', { name: catalog.launcher })).toBeTruthy()
  expect(catalog.launcher).not.toBe(en.launcher)
  expect(root(container).getAttribute('lang')).toBe(locale)
})

test('Arabic is laid out right to left', async () => {
  const { container } = renderWidget(offlineWidget({ locale: 'ar' }))
  await waitFor(() => expect(root(container).getAttribute('dir')).toBe('rtl'))
})

test.each(['en', 'es', 'de'])('%s is laid out left to right', async (locale) => {
  const { container } = renderWidget(offlineWidget({ locale }))
  await waitFor(() => expect(root(container).getAttribute('lang')).toBe(locale))
  expect(root(container).getAttribute('dir')).toBe('ltr')
})

test('a regional tag uses its language (es-MX → es)', async () => {
  renderWidget(offlineWidget({ locale: 'es-MX' }))
  expect(await screen.findByRole('button', { name: es.launcher })).toBeTruthy()
})

test('an unsupported locale falls back to English', async () => {
  const { container } = renderWidget(offlineWidget({ locale: 'fr' }))
  await waitFor(() => expect(root(container).getAttribute('lang')).toBe('en'))
  expect(screen.getByRole('button', { name: en.launcher })).toBeTruthy()
})

test("without a locale the browser's language is used", async () => {
  vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['fr-FR', 'de-DE'])
  const { container } = renderWidget(offlineWidget())
  expect(await screen.findByRole('button', { name: de.launcher })).toBeTruthy()
  expect(root(container).getAttribute('lang')).toBe('de')
})

test('the panel and its errors are translated (German sign-in, wrong password)', async () => {
  const widget = harness.widget({ locale: 'de' })
  renderWidget(widget)
  await screen.findByRole('button', { name: de.launcher })
  await openPanel(widget)

  expect(screen.getByRole('dialog', { name: de.title })).toBeTruthy()
  expect(screen.getByRole('heading', { name: de.signInTitle })).toBeTruthy()
  type(screen.getByLabelText(de.email), DEMO.user.email)
  type(screen.getByLabelText(de.password), 'falsch-falsch')
  fireEvent.click(screen.getByRole('button', { name: de.signIn }))

  expect((await screen.findByRole('alert')).textContent).toBe(de.wrongPassword)
})

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

test.each([
  ['es', es],
  ['de', de],
  ['ar', ar],
])('%s translates every message and keeps its placeholders', (_, catalog) => {
  expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort())
  for (const [key, english] of Object.entries(en)) {
    const translated = catalog[key as keyof typeof en]
    expect(translated.trim(), key).not.toBe('')
    expect(placeholders(translated), key).toEqual(placeholders(english))
  }
})
