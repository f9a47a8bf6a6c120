import { batch, effect, signal } from '@preact/signals'
import {
  type ChatMessage,
  createClient,
  createEmitter,
  type PacksResponse,
  type Session,
  type SessionContext,
  type StorageOption,
  type SuportraClient,
  SuportraError,
  type WebSocketFactory,
} from '@suportra/client'
import type { Availability } from '@suportra/client/availability'
import type { Patch } from '@suportra/protocol'
import type { ReadableAtom } from 'nanostores'
import { createI18n } from './i18n/i18n.js'
import { type Progress, uploadFetch } from './upload/upload-fetch.js'

export interface Theme {
  /** Main colour (buttons, your messages). Any CSS colour. */
  primary?: string
  mode?: 'light' | 'dark' | 'auto'
  position?: 'left' | 'right'
  zIndex?: number
  /** Launcher text; the launcher shows an icon next to it. */
  launcherLabel?: string
  /**
   * The launcher's icon instead of the built-in speech bubble: an image URL (SVG, PNG…), shown as a
   * decorative `<img alt="">` of 20 × 20 px. A strict CSP must allow it in `img-src`.
   */
  launcherIcon?: string
}

export interface MountOptions {
  /** The Suportra server, e.g. `https://api.suportra.com`. */
  baseUrl: string
  appId: string
  theme?: Theme
  /** `en`, `es`, `de`, `ar`…; default: the browser's language. */
  locale?: string
  /** Show the floating launcher (default true); false when you open the widget from your own button. */
  launcher?: boolean
  /** Where the sign-in and unsent messages are kept (default `local`). */
  storage?: StorageOption
  /** An element to render into (you place it) instead of a new `<suportra-widget>` on `<html>`. */
  host?: HTMLElement
  /**
   * Passed to the client (tests, custom networking); it then makes every request, uploads too, which
   * show no progress. Without it, uploads go through `XMLHttpRequest` to report their progress.
   */
  fetch?: typeof fetch
  WebSocket?: WebSocketFactory
  /**
   * A client to drive instead of making one (e.g. your `<SuportraProvider>`'s: one sign-in, one
   * socket). The widget does not destroy it; `baseUrl`, `storage`, `fetch` and `WebSocket` are then unused.
   */
  client?: SuportraClient
}

/** What `open()` can prefill: the tool, the blocker, and what the user was doing. */
export interface OpenOptions {
  tool?: string
  topic?: string
  context?: SessionContext
}

/** Events from `widget.on(name, listener)`. A type, as the client's `ClientEvents` (its emitter takes a record). */
export type WidgetEvents = {
  ready: undefined
  open: undefined
  close: undefined
  unread: { count: number }
  'session-started': { session: Session }
  'session-closed': { session: Session }
  error: SuportraError
  /**
   * "Apply in <tool>" on a builder's patch: register one handler with `on('patch', handler)` (the
   * button shows only then). It returns (or resolves to) a `PatchOutcome`, which the builder sees as
   * "Patch applied" or "Patch failed: <detail>".
   */
  patch: PatchOffer
}
export type WidgetEventName = keyof WidgetEvents

/** What `on('patch', handler)` gets: the patch (a unified diff), the message carrying it, its session. */
export interface PatchOffer {
  patch: Patch
  message: ChatMessage
  session: Session | undefined
}

/** What a patch handler answers: applied or not, and why not (shown to the builder). */
export interface PatchOutcome {
  applied: boolean
  detail?: string
}

/** The vendor's `on('patch')` handler. */
export type PatchHandler = (offer: PatchOffer) => PatchOutcome | Promise<PatchOutcome>

export type View =
  /** `offer`: `open()` brought a topic or context; with a session going, the user decides what to do with it. */
  | { name: 'home'; offer?: boolean }
  | { name: 'new' }
  | { name: 'chat'; id: string }
  | { name: 'rate'; id: string }
  | { name: 'history' }
  | { name: 'transcript'; id: string }
  | { name: 'audit' }
  | { name: 'credits' }
  /**
   * The account: the signed-in user's rights, or before a sign-in a `step` of a password account:
   * create one, ask for a reset link, or choose a new password (opened by a reset link).
   */
  | { name: 'account'; step?: 'signUp' | 'forgot' | 'reset' }

/**
 * One widget: the client it drives, and the UI state around it (open or not, which screen, what
 * to prefill). Chat state itself lives in the client's stores; nothing here copies it.
 */
export function createWidget(options: MountOptions) {
  /** Files being uploaded, and how far each has got. */
  const uploads = signal<ReadonlyMap<Blob, Progress>>(new Map())
  const client: SuportraClient =
    options.client ??
    createClient({
      baseUrl: options.baseUrl,
      appId: options.appId,
      ...(options.storage && { storage: options.storage }),
      fetch: options.fetch ?? uploadFetch(uploads),
      ...(options.WebSocket && { WebSocket: options.WebSocket }),
    })
  const i18n = createI18n(options.locale)
  const isOpen = signal(false)
  const view = signal<View>({ name: 'home' })
  const prefill = signal<OpenOptions>({})
  const context = signal<SessionContext | undefined>(undefined)
  const unread = signal(0)
  /** Who sent the newest unread message (announced while the panel is closed). */
  const unreadFrom = signal('')
  /** Packs, costs and the low-balance threshold, loaded the first time something needs them. */
  const pricing = signal<PacksResponse | undefined>(undefined)
  let pricingLoad: Promise<unknown> | undefined
  const events = createEmitter<WidgetEvents>()
  const { emit } = events
  /** Set once the user or the vendor acted: only then may the widget go online. */
  const engaged = signal(false)
  const cleanups: (() => void)[] = []

  /**
   * The connection is down: offline, or not open after a failed attempt — also the first one after
   * a reload while the server cannot be reached, which the client still calls `connecting`.
   */
  const down = signal(false)
  /** The vendor's `on('patch')` handler: one at a time, the last registered. */
  const patchHandler = signal<PatchHandler | undefined>(undefined)
  /**
   * Listens to a widget event; a listener that throws does not keep it from the others. `patch` sets
   * the one patch handler (the last registered; its unsubscribe removes whichever is registered).
   */
  const on = <K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void) => {
    if (name !== 'patch') return events.on(name, listener)
    patchHandler.value = listener as unknown as PatchHandler
    return () => {
      patchHandler.value = undefined
    }
  }
  cleanups.push(
    client.on('connection', ({ current, retryIn }) => {
      down.value = current === 'offline' || current === 'reconnecting' || retryIn !== undefined
    }),
  )

  cleanups.push(client.on('error', (error) => emit('error', error)))

  // Follow the ongoing session once engaged: unread count, session events.
  cleanups.push(
    effect(() => {
      if (!engaged.value) return
      const stop = client.sessions.$list.subscribe(() => {})
      const seen = new Map<string, Session['status']>()
      const offSession = client.on('session', (session) => {
        const before = seen.get(session.id)
        seen.set(session.id, session.status)
        if (before !== session.status && (session.status === 'closed' || session.status === 'cancelled')) {
          emit('session-closed', { session })
        }
      })
      const offMessage = client.on('message', (message) => {
        const current = view.value
        const visible = isOpen.value && current.name === 'chat' && current.id === message.sessionId
        if (message.author === 'builder' && !visible) {
          unreadFrom.value =
            client.sessions.$list.get().find((s) => s.id === message.sessionId)?.builder?.name ?? ''
          unread.value++
          emit('unread', { count: unread.value })
        }
      })
      return () => {
        stop()
        offSession()
        offMessage()
      }
    }),
  )

  const widget = {
    client,
    options,
    /** `@suportra/client/availability`'s store, made by the start screen's note (its own chunk). */
    availability: undefined as ReadableAtom<Availability | undefined> | undefined,
    i18n,
    isOpen,
    view,
    prefill,
    context,
    unread,
    unreadFrom,
    pricing,
    down,
    uploads,
    patchHandler,
    loadPricing() {
      if (pricingLoad) return
      pricingLoad = client.credits.packs().then(
        (value) => {
          pricing.value = value
        },
        () => {
          pricingLoad = undefined
        },
      )
    },
    /** The theme and whether the launcher shows: both may change while mounted. */
    theme: signal<Theme>(options.theme ?? {}),
    launcher: signal(options.launcher !== false),

    /**
     * Opens the panel, optionally with the tool, topic and context filled in: they replace what the
     * new-session form holds, also while it is open. With a session going, a topic or context is
     * offered to the user (add it to that session, or end it and start anew), never dropped.
     */
    open(input: OpenOptions = {}) {
      batch(() => {
        engaged.value = true
        if (input.tool || input.topic || input.context) {
          prefill.value = { ...prefill.value, ...input }
          if (input.context) context.value = input.context
          view.value = { name: 'home', offer: Boolean(input.topic || input.context) }
        }
        if (!isOpen.value) {
          isOpen.value = true
          emit('open', undefined)
        }
      })
    },
    close() {
      if (!isOpen.value) return
      isOpen.value = false
      emit('close', undefined)
    },
    toggle() {
      if (isOpen.value) widget.close()
      else widget.open()
    },
    /** Signs in the user your backend vouches for (an HS256 token signed with your identity secret). */
    async identify(input: { token: string }) {
      engaged.value = true
      try {
        await client.auth.identify(input)
      } catch (error) {
        emit(
          'error',
          SuportraError.isInstance(error) ? error : new SuportraError('network', undefined, { cause: error }),
        )
        throw error
      }
    },
    async signOut() {
      await client.auth.signOut()
      view.value = { name: 'home' }
    },
    /** What the user is doing (page, file, error…), shared with the builder when a session starts. */
    setContext(next: SessionContext | undefined) {
      context.value = next
    },
    /** Marks the messages of a session as seen (the chat is on screen). */
    seen() {
      if (unread.value === 0) return
      unread.value = 0
      emit('unread', { count: 0 })
    },
    show(next: View) {
      view.value = next
    },
    started(session: Session) {
      emit('session-started', { session })
    },
    on,
    off<K extends WidgetEventName>(name: K, listener: (payload: WidgetEvents[K]) => void): void {
      // The emitter holds a listener once: adding it again changes nothing, and the returned function
      // removes it (the client's emitter, shared with it, has no `off` of its own).
      on(name, listener)()
    },
    emit,
    destroy() {
      for (const fn of cleanups.splice(0)) fn()
      events.clear()
      if (!options.client) client.destroy()
    },
  }
  return widget
}

export type Widget = ReturnType<typeof createWidget>
