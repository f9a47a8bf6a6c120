import {
  AuditResponse,
  AuthMethodsResponse,
  AuthResponse,
  JsonObject,
  OkResponse,
  type RealtimeEvent,
  type Session,
  type Tool,
  ToolsResponse,
  type User,
  UserResponse,
} from '@suportra/protocol'
import { atom, type ReadableAtom } from 'nanostores'
import type * as z from 'zod/mini'
import { createTokens } from './auth/tokens.js'
import { createBuilder } from './builder/builder.js'
import { createEmitter } from './core/emitter.js'
import { SuportraError } from './core/errors.js'
import { isWatched } from './core/live-store.js'
import { resolveStorage, type StorageOption, storedValue } from './core/storage.js'
import { createCredits } from './credits/credits.js'
import { createHttp } from './http/http.js'
import {
  type ConnectionChange,
  type ConnectionStatus,
  createConnection,
  type WebSocketFactory,
} from './realtime/connection.js'
import { createOutbox } from './sessions/outbox.js'
import { createSessions } from './sessions/sessions.js'

export interface ClientOptions {
  /** Where the Suportra API lives, e.g. `https://api.suportra.com`. */
  baseUrl: string
  /** Your app id (from `suportra-server apps create`). */
  appId: string
  /** Where the sign-in and unsent messages are kept. Default `local` (shared by tabs). */
  storage?: StorageOption
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch
  /** Defaults to the global `WebSocket`; pass the `ws` package's on Node 20. */
  WebSocket?: WebSocketFactory
}

/** Events from `client.on(name, listener)`. A type, not an interface: a misspelt name does not compile. */
export type ClientEvents = {
  message: Extract<RealtimeEvent, { type: 'message' }>['message']
  session: Session
  typing: Extract<RealtimeEvent, { type: 'typing' }>
  read: Extract<RealtimeEvent, { type: 'read' }>
  queue: Extract<RealtimeEvent, { type: 'queue' }>
  credits: Extract<RealtimeEvent, { type: 'credits' }>
  /** Whether builders are there changed (its `availability`: see `@suportra/client/availability`). */
  availability: Extract<RealtimeEvent, { type: 'availability' }>
  connection: ConnectionChange
  /** The signed-in user changed: someone signed in (a User) or out (null). */
  user: User | null
  /** Failures that happened in the background (realtime, retries). */
  error: SuportraError
}

/** The client's own events; the others arrive over realtime, and listening to them keeps the connection open. */
const LOCAL_EVENTS = /^(connection|user|error)$/

/** Creates a Suportra client. Nothing is stored and no connection opens until someone signs in and listens. */
export function createClient(options: ClientOptions) {
  // No `z.config({ jitless: true })`: zod/mini's objects never compile parsers with `new Function`
  // (only classic zod's do), so the client is safe under a strict CSP as it is.
  const storage = resolveStorage(options.storage)
  const prefix = `suportra:${options.appId}:`
  const events = createEmitter<ClientEvents>()
  const $user = atom<User | null>(null)
  const $connection = atom<ConnectionStatus>('idle')
  const fetchFn: typeof fetch = options.fetch ?? ((...args) => globalThis.fetch(...args))
  const http = createHttp({ ...options, fetch: fetchFn, tokens: () => tokens })
  /** A POST to `/v1/auth/<path>`, made without an access token. */
  const post = <S extends z.ZodMiniType = typeof AuthResponse>(path: string, body: unknown, schema?: S) =>
    http(`/v1/auth/${path}`, schema ?? (AuthResponse as unknown as S), { method: 'POST', body, auth: false })
  const tokens = createTokens(
    storage,
    prefix,
    (refreshToken) => post('refresh', { refreshToken }),
    (auth) => setUser(auth?.user ?? null),
  )
  const me = () => $user.get()?.id
  const retain = () => connection.retain()
  const outbox = createOutbox(storage, prefix, http, (message) =>
    sessions.get(message.sessionId).receive(message),
  )
  const toolsCache = storedValue<Tool[]>(storage, `${prefix}tools`)
  const sessions = createSessions(http, { outbox, retain, me })
  const credits = createCredits(http, retain)
  const builder = createBuilder(http, sessions, retain)

  const connection = createConnection({
    url: `${options.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/v1/realtime`,
    WebSocket: options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory),
    token: () => tokens.access(),
    refresh: (stale) => tokens.refresh(stale),
    // A handle not loaded yet has no resume point: undefined, which JSON leaves out of the frame.
    resume: () => Object.fromEntries([...sessions.handles()].map((h) => [h.id, h.resumeFrom as number])),
    onEvent,
    onChange(change) {
      $connection.set(change.current)
      events.emit('connection', change)
      if (change.error) events.emit('error', change.error)
    },
    // Only the sign-in the socket used ends; one stored since (another tab, a reset) reconnects.
    onRevoked: (token) => (tokens.get()?.accessToken !== token ? connection.start() : tokens.clear()),
    onError: (error) => events.emit('error', error),
  })

  function onEvent(event: RealtimeEvent) {
    switch (event.type) {
      case 'ready':
        // Events between the last HTTP load and this socket (or during a gap) were not delivered: catch up.
        refreshLive()
        outbox.nudge()
        return
      case 'message':
        sessions.get(event.message.sessionId).receive(event.message)
        return events.emit('message', event.message)
      case 'session':
        sessions.receive(event.session)
        return events.emit('session', event.session)
      case 'typing':
        sessions.get(event.sessionId).receiveTyping(event)
        break
      case 'read':
        sessions.get(event.sessionId).receiveRead(event.author, event.seq)
        break
      case 'queue':
        builder.receive(event.action, event.session)
        break
      case 'position': {
        // The user's own place in the queue moved; a late one (claimed meanwhile) changes nothing.
        const session = sessions.get(event.sessionId).$session.value
        if (session?.status === 'waiting') sessions.receive({ ...session, queue: event.queue })
        return
      }
      case 'credits':
        credits.$balance.set(event.balance)
        break
      case 'availability':
        break
      case 'continuity_lost':
        sessions
          .get(event.sessionId)
          .reload()
          .catch((error) => events.emit('error', error))
        return
      case 'error':
        return events.emit('error', new SuportraError(event.code, event.message))
      default:
        return
    }
    events.emit(event.type, event)
  }

  function refreshLive() {
    const quiet = (promise: Promise<unknown>) => promise.catch((error) => events.emit('error', error))
    if (isWatched(sessions.$list)) quiet(sessions.list())
    if (isWatched(credits.$balance)) quiet(credits.refresh())
    if (isWatched(builder.$queue)) quiet(builder.refresh())
  }

  function setUser(user: User | null) {
    const previous = $user.get()
    $user.set(user)
    if (previous?.id === user?.id) return
    if (previous) {
      connection.disable()
      // Unsent messages stay stored for their author (sent when they sign in again) unless they
      // signed out; what was cached to show offline goes, so nothing of theirs shows to the next user.
      outbox.unload(!user)
      sessions.reset(true)
      toolsCache.set(undefined)
      builder.$queue.set([])
      credits.$balance.set(undefined)
    }
    if (user) {
      outbox.load(user.id)
      sessions.load(storedValue(storage, `${prefix}sessions:${user.id}`))
      connection.start()
      // Stores watched before the sign-in (a signed-out panel) load now.
      refreshLive()
    }
    events.emit('user', user)
  }

  /** A call to `/v1/auth/<path>` that signs in (under the refresh lock: see `Tokens.signIn`). */
  const enter =
    <I>(path: string) =>
    async (input: I): Promise<User> =>
      (await tokens.signIn(() => post(path, input))).user

  // Another tab signed in or out: follow it.
  const onStorage = (event: StorageEvent) => {
    if (event.key === `${prefix}auth`) setUser(tokens.get()?.user ?? null)
  }
  globalThis.addEventListener?.('storage', onStorage as EventListener)

  const stored = tokens.get()
  if (stored) setUser(stored.user)
  else connection.disable()

  return {
    /** The signed-in user, or null. */
    $user: $user as ReadableAtom<User | null>,
    /** Realtime status: `idle`, `connecting`, `open`, `reconnecting` or `offline`. */
    $connection: $connection as ReadableAtom<ConnectionStatus>,

    auth: {
      /** How people sign in to your app: with `password` accounts (sign-up, reset) or by vendor identity token only. */
      methods: (): Promise<AuthMethodsResponse> =>
        http('/v1/auth/methods', AuthMethodsResponse, { auth: false }),
      /** Creates a password account; `ageConfirmed`: the person confirmed they are 16 or older. */
      signUp: enter<{ name: string; email: string; password: string; ageConfirmed: true }>('sign-up'),
      signIn: enter<{ email: string; password: string }>('sign-in'),
      /**
       * Emails a link to choose a new password; the answer is the same whether or not the address has an
       * account. The link opens `url` (on one of your app's origins) with the token in its fragment,
       * where `resetPassword` takes it. Default: this page without its query and fragment (they may hold
       * tokens or personal data, and the link goes into an email).
       */
      requestPasswordReset: (input: { email: string; url?: string }): Promise<{ ok: boolean }> =>
        post(
          'password-reset',
          { url: globalThis.location?.href.replace(/[?#].*/, ''), ...input },
          OkResponse,
        ),
      /**
       * Sets a new password with the emailed token and signs in; every other sign-in is ended. The one
       * held here stays until it succeeds (a failed reset changes nothing); unsent messages of the same
       * person then go out under the new sign-in.
       */
      resetPassword: enter<{ token: string; password: string }>('password-reset/confirm'),
      /** Signs in with an identity token your backend signed (HS256, your app's identity secret). */
      identify: enter<{ token: string }>('identify'),
      /** Signs out here and on the server, and clears everything the client stored. */
      async signOut(): Promise<void> {
        const refreshToken = tokens.get()?.refreshToken
        tokens.clear()
        if (refreshToken) {
          await post('sign-out', { refreshToken }, OkResponse).catch(() => {})
        }
      },
    },

    /** The AI coding tools users can ask about (the last list fetched when the server cannot be reached). */
    tools: (): Promise<Tool[]> =>
      http('/v1/tools', ToolsResponse, { auth: false }).then(
        // Stored only for a signed-in user (nothing is stored before), and erased at sign-out.
        ({ tools }) => {
          if (me()) toolsCache.set(tools)
          return tools
        },
        (error) => toolsCache.get() ?? Promise.reject(error),
      ),

    credits,
    sessions,
    builder,

    audits: {
      /**
       * Sends a free stack audit request; no sign-in needed. When signed in, the audit belongs to the
       * account (it is in its export and goes with it).
       */
      submit: async (input: { email: string; building: string; tools: string[]; blockers: string }) =>
        (await http('/v1/audits', AuditResponse, { method: 'POST', body: input, auth: me() !== undefined }))
          .audit,
    },

    account: {
      /** Changes your name and/or email, confirmed with your current password; `$user` follows. */
      async update(input: { name?: string; email?: string; password: string }): Promise<User> {
        const { user } = await http('/v1/account', UserResponse, { method: 'POST', body: input })
        tokens.update(user)
        return user
      },
      /** Everything stored about you, as JSON. */
      export: () => http('/v1/account/export', JsonObject),
      /** Deletes your account, transcripts and files; billing records are kept anonymised. Signs you out. */
      async delete(): Promise<void> {
        await http('/v1/account', OkResponse, { method: 'DELETE' })
        tokens.clear()
      },
    },

    /** Fetches an attachment's file (its URL needs your access token). */
    async download(url: string): Promise<Blob> {
      const headers = { authorization: `Bearer ${await tokens.access()}` }
      const response = await fetchFn(new URL(url, options.baseUrl), { headers }).catch((cause: unknown) => {
        throw new SuportraError('network', undefined, { cause })
      })
      if (!response.ok)
        throw new SuportraError(response.status === 404 ? 'not_found' : 'server', undefined, {
          status: response.status,
        })
      return response.blob()
    },

    /** Listens to a client event; returns the function that stops listening. */
    on<K extends keyof ClientEvents & string>(
      name: K,
      listener: (payload: ClientEvents[K]) => void,
    ): () => void {
      const off = events.on(name, listener)
      const release = LOCAL_EVENTS.test(name) ? undefined : connection.retain()
      return () => {
        off()
        release?.()
      }
    },

    /** Closes the connection and removes every listener and timer. Unsent messages stay stored. */
    destroy(): void {
      globalThis.removeEventListener?.('storage', onStorage as EventListener)
      connection.destroy()
      outbox.destroy()
      sessions.reset()
      events.clear()
    },
  }
}

export type SuportraClient = ReturnType<typeof createClient>
