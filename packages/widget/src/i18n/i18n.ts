import { signal } from '@preact/signals'
import { type Catalog, en, type MessageKey } from './en.js'

export type { MessageKey }

/** Locales with a catalogue; others fall back to English. The rest load on demand (their own chunks). */
const LOADERS: Record<string, () => Promise<Catalog>> = {
  es: () => import('./es.js').then((m) => m.es),
  de: () => import('./de.js').then((m) => m.de),
  ar: () => import('./ar.js').then((m) => m.ar),
}
const RTL = new Set(['ar', 'he', 'fa', 'ur'])

/** The chosen locale, or the browser's first supported one. */
export function pickLocale(requested?: string): string {
  const candidates = [requested, ...(globalThis.navigator?.languages ?? [])]
  for (const tag of candidates) {
    const base = tag?.toLowerCase().split('-')[0]
    if (base && (base === 'en' || base in LOADERS)) return base
  }
  return 'en'
}

export function createI18n(requested?: string) {
  const catalog = signal<Catalog>(en)
  const locale = signal('en')
  const setLocale = async (wanted?: string) => {
    const next = pickLocale(wanted)
    catalog.value = next === 'en' ? en : ((await LOADERS[next]?.().catch(() => en)) ?? en)
    locale.value = next
  }
  setLocale(requested)
  return {
    locale,
    dir: () => (RTL.has(locale.value) ? 'rtl' : 'ltr'),
    setLocale,
    /** The message for `key` with `{name}` placeholders filled. */
    t(key: MessageKey, values: Record<string, string | number> = {}): string {
      return catalog.value[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))
    },
  }
}
export type I18n = ReturnType<typeof createI18n>
