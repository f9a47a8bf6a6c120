import { act, fireEvent, screen, waitFor } from '@testing-library/preact'
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

test('file sizes are written in the widget language, units included (no hard-coded "KB")', async () => {
  const { MessageItem } = await import('../ui/chat/message-item.js')
  const { renderPart } = await import('../../test/helpers.js')
  const widget = offlineWidget({ locale: 'de' })
  await widget.i18n.ready
  const file = (name: string, size: number) => ({ id: name, name, type: '', size, url: '' })
  const message = {
    id: 'm1',
    key: 'm1',
    sessionId: 's1',
    seq: 1,
    authorId: 'someone',
    author: 'builder',
    kind: 'file',
    body: '',
    code: null,
    attachments: [file('a.log', 1500), file('b.zip', 1.5 * 1024 * 1024)],
    createdAt: 0,
    status: 'sent',
  } as unknown as Parameters<typeof MessageItem>[0]['message']
  const { container } = renderPart(
    <MessageItem message={message} handle={{} as never} builderName="Grace" />,
    widget,
  )
  const sizes = [...container.querySelectorAll('.files small')].map((el) => el.textContent)
  expect(sizes).toEqual(['2 kB', '1,5 MB'])
})

test('the strings of screens behind a click are not loaded on open, and come with those screens', async () => {
  const { esLater } = await import('./es.later.js')
  const widget = offlineWidget({ locale: 'es' })
  await widget.i18n.ready
  expect(widget.i18n.complete()).toBe(false)
  expect(widget.i18n.t('historyEmpty')).toBe('')

  renderWidget(widget)
  await openPanel(widget)
  // The stack audit needs no sign-in: its screen (a lazy chunk) and its strings load when it is shown.
  await act(() => widget.show({ name: 'audit' }))

  expect(await screen.findByRole('heading', { name: esLater.auditTitle })).toBeTruthy()
  expect(widget.i18n.t('historyEmpty')).toBe(esLater.historyEmpty)
})

test("the account screens' strings come with them, not with the other screens behind a click", async () => {
  const { esLater } = await import('./es.later.js')
  const { esAccount } = await import('./es.account.js')
  const widget = offlineWidget({ locale: 'es' })
  renderWidget(widget)
  await openPanel(widget)
  await act(() => widget.show({ name: 'audit' }))
  await screen.findByRole('heading', { name: esLater.auditTitle })
  expect(widget.i18n.complete('account')).toBe(false)
  expect(widget.i18n.t('deleteWarn')).toBe('')

  await act(() => widget.show({ name: 'account', step: 'signUp' }))

  expect(await screen.findByLabelText(esAccount.ageConfirm)).toBeTruthy()
  expect(widget.i18n.t('deleteWarn')).toBe(esAccount.deleteWarn)
  // What came before stays, and loading the other part again (as each send does) keeps these.
  expect(widget.i18n.t('auditTitle')).toBe(esLater.auditTitle)
  await act(() => widget.i18n.more())
  expect(widget.i18n.t('deleteWarn')).toBe(esAccount.deleteWarn)
})
