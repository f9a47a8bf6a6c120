import { afterEach, expect, test, vi } from 'vitest'
import { loadCatalog, pickLocale as widgetLocale } from '../i18n/i18n.js'
import { LABELS, pickLocale } from './labels.js'

afterEach(() => vi.restoreAllMocks())

test("the placeholder says what the widget's launcher says, in every language", async () => {
  for (const [locale, label] of Object.entries(LABELS)) {
    expect(label, locale).toBe((await loadCatalog(locale)).launcher)
  }
})

test('the placeholder picks the language the widget will', () => {
  const cases: [requested: string | undefined, browser: string[]][] = [
    ['de', ['en-US']],
    ['DE-at', []],
    ['ar', ['de']],
    ['fr', ['es-MX', 'de']],
    [undefined, ['fr-FR', 'de-DE', 'es']],
    [undefined, ['fr', 'it']],
    [undefined, []],
  ]
  for (const [requested, languages] of cases) {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(languages)
    expect(pickLocale(requested), `${requested} ${languages}`).toBe(widgetLocale(requested))
  }
})
