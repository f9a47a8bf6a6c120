import { signal } from '@preact/signals'
import { loadOnce } from '../load-once.js'
import type { AccountCatalog } from './en.account.js'
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
type Loaders<T> = Record<'en' | 'es' | 'de' | 'ar', () => Promise<T>>
/** The parts of each catalogue that load with the screens showing them, each language its own chunk. */
const PARTS: { later: Loaders<LaterCatalog>; account: Loaders<AccountCatalog> } = {
  /** The screens behind a click and the secret warning. */
  later: {
    en: () => import('./en.later.js').then((m) => m.enLater),
    es: () => import('./es.later.js').then((m) => m.esLater),
    de: () => import('./de.later.js').then((m) => m.deLater),
    ar: () => import('./ar.later.js').then((m) => m.arLater),
  },
  /** The account screens: sign-up, password reset, the user's rights. */
  account: {
    en: () => import('./en.account.js').then((m) => m.enAccount),
    es: () => import('./es.account.js').then((m) => m.esAccount),
    de: () => import('./de.account.js').then((m) => m.deAccount),
    ar: () => import('./ar.account.js').then((m) => m.arAccount),
  },
}
/** A key of each part: whether a widget's catalogue has it tells whether that part is in. */
const HAS: { later: keyof LaterCatalog; account: keyof AccountCatalog } = { later: 'submit', account: 'save' }
/** A part of the catalogue that loads later: `later` (most screens behind a click) or `account`. */
export type Part = keyof typeof PARTS
const RTL = /^(ar|he|fa|ur)$/
/** A catalogue and the parts of it loaded so far. */
type Loaded = Catalog & Partial<Messages>
/** Catalogues already loaded (with the parts loaded since), shared by every widget on the page. */
const loaded: Record<string, Loaded> = {}
const partLoads: Record<string, () => Promise<unknown>> = {}

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

/** Adds `part` of `locale` to its loaded catalogue. A failure is not kept: the next call tries again. */
export function loadPart(locale: string, part: Part): Promise<unknown> {
  const parts: Record<string, () => Promise<object>> = PARTS[part]
  const load = parts[locale] ?? (parts.en as () => Promise<object>)
  partLoads[part + locale] ??= loadOnce(() =>
    Promise.all([loadCatalog(locale), load()]).then(([, strings]) => {
      loaded[locale] = { ...loaded[locale], ...strings } as Loaded
    }),
  )
  return (partLoads[part + locale] as () => Promise<unknown>)()
}

export function createI18n(requested?: string) {
  const initial = pickLocale(requested)
  /** Undefined until the first catalogue has loaded; the widget renders once it has. */
  const catalog = signal<Loaded | undefined>(loaded[initial])
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
    setLocale,
    /** Resolves once the first catalogue is in. */
    ready,
    dir: () => (RTL.test(locale.value) ? 'rtl' : 'ltr'),
    /** Whether the strings of `part` are in. */
    complete: (part: Part = 'later') => Boolean(catalog.value && HAS[part] in catalog.value),
    /** Loads the strings of `part` (for a lazy screen, the secret warning). */
    async more(part: Part = 'later'): Promise<void> {
      const next = locale.value
      await loadPart(next, part)
      // The catalogue with every part loaded so far (another may have come in meanwhile).
      if (locale.value === next) catalog.value = loaded[next]
    },
    /** The message for `key` with `{name}` placeholders filled ('' before the catalogue has loaded). */
    t(key: MessageKey, values: Record<string, string | number> = {}): string {
      return (catalog.value?.[key] ?? '').replace(/\{(\w+)\}/g, (_, name: string) =>
        String(values[name] ?? ''),
      )
    },
  }
}
export type I18n = ReturnType<typeof createI18n>
