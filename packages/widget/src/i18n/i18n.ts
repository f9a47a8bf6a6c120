import { signal } from '@preact/signals'
import { loadOnce } from '../load-once.js'
import type { Catalog, MessageKey, Messages } from './en.js'
import type { LaterCatalog } from './en.later.js'

export type { MessageKey }

/** Every catalogue is its own chunk, English too: the widget downloads only the language it shows. */
const LOADERS: Record<string, () => Promise<Catalog>> = {
  en: () => import('./en.js').then((m) => m.en),
  es: () => import('./es.js').then((m) => m.es),
  de: () => import('./de.js').then((m) => m.de),
  ar: () => import('./ar.js').then((m) => m.ar),
}
/** The strings of the screens behind a click and of the secret warning: loaded with them. */
const LATER: Record<string, () => Promise<LaterCatalog>> = {
  en: () => import('./en.later.js').then((m) => m.enLater),
  es: () => import('./es.later.js').then((m) => m.esLater),
  de: () => import('./de.later.js').then((m) => m.deLater),
  ar: () => import('./ar.later.js').then((m) => m.arLater),
}
const RTL = /^(ar|he|fa|ur)$/
/** Catalogues already loaded (with their later strings once those are in), shared by every widget on the page. */
const loaded: Record<string, Catalog | Messages> = {}
const laterLoads: Record<string, () => Promise<Messages>> = {}

/** The chosen locale, or the browser's first supported one (English when none is). */
export function pickLocale(requested?: string): string {
  const candidates = [requested, ...(globalThis.navigator?.languages ?? [])]
  for (const tag of candidates) {
    const base = tag?.toLowerCase().split('-')[0]
    if (base && base in LOADERS) return base
  }
  return 'en'
}

/** Loads a catalogue (English if that fails). */
export async function loadCatalog(locale: string): Promise<Catalog> {
  const load = LOADERS[locale] ?? (LOADERS.en as () => Promise<Catalog>)
  loaded[locale] ??= await load().catch(() =>
    locale === 'en' ? Promise.reject(new Error('No English catalogue')) : loadCatalog('en'),
  )
  return loaded[locale] as Catalog
}

/** Adds the later strings of `locale` to its loaded catalogue. A failure is not kept: the next call tries again. */
export function loadLater(locale: string): Promise<Messages> {
  const load = LATER[locale] ?? (LATER.en as () => Promise<LaterCatalog>)
  laterLoads[locale] ??= loadOnce(() =>
    Promise.all([loadCatalog(locale), load()]).then(
      ([catalog, later]) => (loaded[locale] = { ...catalog, ...later }),
    ),
  )
  return laterLoads[locale]()
}

export function createI18n(requested?: string) {
  const initial = pickLocale(requested)
  /** Undefined until the first catalogue has loaded; the widget renders once it has. */
  const catalog = signal<Catalog | Messages | undefined>(loaded[initial])
  const locale = signal(initial)
  const setLocale = async (wanted?: string) => {
    const next = pickLocale(wanted)
    catalog.value = await loadCatalog(next)
    locale.value = next
  }
  const ready = catalog.value ? Promise.resolve() : setLocale(requested)
  return {
    locale,
    catalog,
    /** Resolves once the first catalogue is in. */
    ready,
    dir: () => (RTL.test(locale.value) ? 'rtl' : 'ltr'),
    /** Whether the strings of the parts that load later are in. */
    complete: () => Boolean(catalog.value && 'submit' in catalog.value),
    /** Loads the strings of the parts that load later (a lazy screen, the secret warning). */
    async more(): Promise<void> {
      const next = locale.value
      const all = await loadLater(next)
      if (locale.value === next) catalog.value = all
    },
    /** The message for `key` with `{name}` placeholders filled ('' before the catalogue has loaded). */
    t(key: MessageKey, values: Record<string, string | number> = {}): string {
      return ((catalog.value as Partial<Messages> | undefined)?.[key] ?? '').replace(
        /\{(\w+)\}/g,
        (_, name: string) => String(values[name] ?? ''),
      )
    },
  }
}
export type I18n = ReturnType<typeof createI18n>
