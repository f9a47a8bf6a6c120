import type { Pack, Tool } from '@suportra/protocol'
import type { FilesConfig } from './storage/files.js'

/** A limit of `points` requests per `duration` seconds. */
export interface RateLimit {
  points: number
  duration: number
}

export interface RateLimits {
  /** Failed sign-ins per IP and email. */
  signInFailures: RateLimit
  /**
   * Failed sign-ins per email from any address: a ceiling for guessers who change address (IPv6
   * gives one a whole /64), above `signInFailures` so one address alone never reaches it.
   */
  signInFailuresPerEmail: RateLimit
  /** Sign-in, sign-up, identify and refresh calls per IP. */
  auth: RateLimit
  /** Messages sent per user. */
  send: RateLimit
  /** Typing notifications per user (extra ones are dropped silently). */
  typing: RateLimit
  /** Stack audits per IP. */
  auditsPerIp: RateLimit
  /** Stack audits per email. */
  auditsPerEmail: RateLimit
  /** Password reset emails asked for, per IP. */
  passwordResetsPerIp: RateLimit
  /** Password reset emails asked for, per email address (whether or not it has an account). */
  passwordResetsPerEmail: RateLimit
  /** Password reset links tried (right or wrong), per IP. */
  passwordResetConfirms: RateLimit
  /** Wrong current passwords given to change an account, per user. */
  accountPasswordFailures: RateLimit
  /** Account changes (name, email) per user, right password or not: each costs a password hash. */
  accountUpdates: RateLimit
  /** Server API requests per server key. */
  serverApi: RateLimit
  /** Server API requests with a missing, unknown or revoked key, per IP. */
  serverApiFailures: RateLimit
}

/** Webhooks to vendors' backends (`webhooks/`). */
export interface WebhookConfig {
  /**
   * Allow `http://` endpoint URLs and private, loopback and link-local addresses (development: a
   * vendor's backend on 127.0.0.1). Unset: on with the demo seed, off otherwise. Never in production:
   * it lets whoever holds a server key make this server send requests into its own network.
   */
  allowPrivate: boolean | undefined
  /** How often the worker looks for deliveries that are due. */
  intervalMs: number
  /** The first retry's delay; each next one doubles, up to an hour. */
  retryBaseMs: number
  /** How long an event is retried before its delivery is marked failed. */
  retryForMs: number
  /** Longest wait for an endpoint to answer one delivery (an instance's lease is twice this). */
  timeoutMs: number
}

export interface Config {
  /** SQLite file, or `:memory:`. */
  db: string
  /** Where attachments are stored; defaults to `<db file>.files/` (a temporary folder for `:memory:`). */
  dataDir: string | undefined
  /** Secret that signs access tokens; generated and stored in the database when not given. */
  jwtSecret: string | undefined
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  /** How long a refresh token that was just rotated may still be used (concurrent refreshes). */
  refreshGraceMs: number
  /** Credits held when a session starts and captured when a builder joins. */
  conversationCost: number
  /** Credits charged once when a session is upgraded to video. */
  videoCost: number
  /** Meeting link for a video session; `{session}` is replaced by the session id. */
  videoUrlTemplate: string
  /** Server ping interval; a socket that misses one is closed. */
  heartbeatMs: number
  /** How often each instance re-announces its connected builders and users' `seen_at` (availability). */
  presenceRefreshMs: number
  /** Active sessions a builder takes at once before availability says `busy`. */
  builderSessionCapacity: number
  /** How long a user has had no socket before a builder's reply is emailed to them. */
  awayEmailMs: number
  /** Time a new socket has to send its `auth` frame. */
  authTimeoutMs: number
  /** Most messages replayed per session on resume; beyond it the client gets `continuity_lost`. */
  resumeWindow: number
  // Realtime limits against hostile clients (docs/security.md). Generous: no real user meets them.
  /** Open sockets per user (tabs, devices, scripts); one more is closed with 4029. */
  socketsPerUser: number
  /** Open sockets per client IP (a whole office behind one NAT counts once); one more is closed with 4029. */
  socketsPerIp: number
  /** Sockets per client IP that have not authenticated yet; one more is closed with 4029. */
  unauthenticatedSocketsPerIp: number
  /** Frames a socket may send per second (pings, control frames and anything else); more closes it with 4029. */
  framesPerSecond: number
  /** Largest first (`auth`) frame in bytes; a longer one is closed with 1009 before it is parsed. */
  authFrameBytes: number
  /** Largest frame of any kind in bytes (the WebSocket limit); a longer one is closed with 1009. */
  maxFrameBytes: number
  /**
   * When a socket's access token expires the server sends `reauth`; a socket that has not sent a
   * new `auth` frame this long afterwards is closed with 4001.
   */
  reauthGraceMs: number
  /** scrypt cost (N) for new password hashes; memory used is 128 × N × 8 bytes. */
  scryptCost: number
  /** Credit packs for sale. */
  packs: Pack[]
  /** At or below this balance users see a warning and get one email per crossing. */
  lowBalanceThreshold: number
  /** A session nobody claimed within this many minutes is cancelled and its hold released. */
  waitingTimeoutMinutes: number
  /**
   * Stripe: with `secretKey`, checkout goes to Stripe; without it, to the server's own test checkout
   * page, which delivers a webhook signed with `webhookSecret` to the same endpoint. `apiUrl` points
   * the Stripe SDK elsewhere (tests).
   */
  stripe: { secretKey: string | undefined; webhookSecret: string; apiUrl: string | undefined }
  /** Resend: with `apiKey`, emails are sent; without it, they stay in the local outbox (see `devMail`). */
  resend: { apiKey: string | undefined; baseUrl: string | undefined }
  /**
   * SMTP (nodemailer), e.g. `smtps://user:pass@mail.example.com:465`: when set, emails go through it
   * rather than Resend.
   */
  smtp: { url: string | undefined }
  emailFrom: string
  /** Serve /dev/mail (the local outbox) and /dev/checkout (the test checkout). Never in production. */
  devPages: boolean
  /**
   * How many proxies of your own stand in front of the server (a load balancer: 1; a CDN and a load
   * balancer: 2). The client's address is then read from `X-Forwarded-For`, that many entries from
   * the right (the one the outermost proxy wrote), never from the left, which the client writes
   * itself. `true` is 1; `false` or 0 (the default) takes the TCP peer and ignores the header.
   * See `http/client-ip.ts`.
   */
  trustProxy: boolean | number
  tools: Tool[]
  rateLimits: RateLimits

  // ---- Hostile clients: the public origin, password hashing and uploads (see docs/security.md) ----
  /**
   * The server's public URL (`https://chat.example.com`): the only origin treated as the server's
   * own, and the host its development pages answer to. The `Host` header is never trusted for this.
   * Defaults to the address the server listens on (development).
   */
  publicUrl: string | undefined
  /**
   * Password hashes (scrypt, 128 × scryptCost × 8 bytes of memory each) allowed at once in the whole
   * process, and password checks (failure counters and hash) at once per client IP. With every slot
   * taken a hash waits for one at most `waitMs` (64 waiting at most), then gets 429 `rate_limited`
   * (Retry-After: 1); an address with `concurrentPerIp` checks under way gets it at once. See
   * `auth/hash-gate.ts`.
   */
  passwordHashing: { concurrent: number; concurrentPerIp: number; waitMs: number }
  /**
   * Files uploaded but not (yet) attached to a message, per user per hour: how many and how many bytes
   * (429 `rate_limited` beyond). Such uploads older than `unattachedTtlMinutes` are deleted by a sweep
   * that also removes files without a database row.
   */
  uploads: { unattachedPerHour: number; unattachedBytesPerHour: number; unattachedTtlMinutes: number }
  /**
   * Check every response and realtime frame the server sends against the protocol's schemas; one that
   * does not match is logged and answered as a 500 (see `protocol-check.ts`). Unset: on when
   * NODE_ENV is `development` or `test` or under Vitest, off otherwise (it parses every body again).
   */
  checkResponses: boolean | undefined
  webhooks: WebhookConfig

  // ---- Operating the server (docs/guides/self-hosting.md) ----
  /**
   * `GET /metrics` (Prometheus): served on the API port to `Authorization: Bearer <token>` when
   * `token` is set, and without a token on `port` (a separate listener, for a private network) when
   * that is set; off when neither is.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string }
  /**
   * How long a shutdown (SIGTERM) may take: sockets are closed at once (1012, clients reconnect
   * elsewhere), in-flight requests and background work (outboxes) get this long, then the rest is cut.
   */
  shutdownTimeoutMs: number
  /** Where attachment contents live (`storage/files.ts`): `disk` (dataDir), `database` or `s3`. */
  files: FilesConfig
}

export const DEFAULT_TOOLS: Tool[] = [
  { id: 'cursor', name: 'Cursor' },
  { id: 'claude-code', name: 'Claude Code' },
  { id: 'lovable', name: 'Lovable' },
  { id: 'bolt', name: 'Bolt' },
  { id: 'v0', name: 'v0' },
  { id: 'replit', name: 'Replit' },
  { id: 'windsurf', name: 'Windsurf' },
  { id: 'copilot', name: 'GitHub Copilot' },
  { id: 'other', name: 'Something else' },
]

export const DEFAULT_CONFIG: Config = {
  db: './suportra.db',
  dataDir: undefined,
  jwtSecret: undefined,
  accessTokenTtlSeconds: 15 * 60,
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  refreshGraceMs: 10_000,
  conversationCost: 1,
  videoCost: 1,
  videoUrlTemplate: 'https://meet.jit.si/suportra-{session}',
  heartbeatMs: 25_000,
  presenceRefreshMs: 15_000,
  builderSessionCapacity: 1,
  awayEmailMs: 5 * 60_000,
  authTimeoutMs: 5_000,
  resumeWindow: 1_000,
  socketsPerUser: 50,
  socketsPerIp: 500,
  unauthenticatedSocketsPerIp: 100,
  framesPerSecond: 20,
  authFrameBytes: 16 * 1024,
  maxFrameBytes: 64 * 1024,
  reauthGraceMs: 30_000,
  scryptCost: 2 ** 17,
  packs: [
    { id: 'pack_3', name: '3 conversations', credits: 3, price: 2_900, currency: 'usd' },
    { id: 'pack_10', name: '10 conversations', credits: 10, price: 8_900, currency: 'usd' },
    { id: 'pack_25', name: '25 conversations', credits: 25, price: 19_900, currency: 'usd' },
  ],
  lowBalanceThreshold: 1,
  waitingTimeoutMinutes: 30,
  stripe: { secretKey: undefined, webhookSecret: 'whsec_suportra_development', apiUrl: undefined },
  resend: { apiKey: undefined, baseUrl: undefined },
  smtp: { url: undefined },
  emailFrom: 'Suportra <noreply@suportra.local>',
  devPages: false,
  trustProxy: false,
  tools: DEFAULT_TOOLS,
  rateLimits: {
    signInFailures: { points: 10, duration: 15 * 60 },
    signInFailuresPerEmail: { points: 50, duration: 60 * 60 },
    auth: { points: 120, duration: 60 },
    send: { points: 120, duration: 60 },
    typing: { points: 60, duration: 60 },
    auditsPerIp: { points: 5, duration: 60 * 60 },
    auditsPerEmail: { points: 3, duration: 24 * 60 * 60 },
    passwordResetsPerIp: { points: 10, duration: 60 * 60 },
    passwordResetsPerEmail: { points: 3, duration: 60 * 60 },
    passwordResetConfirms: { points: 20, duration: 15 * 60 },
    accountPasswordFailures: { points: 10, duration: 15 * 60 },
    accountUpdates: { points: 20, duration: 60 * 60 },
    serverApi: { points: 600, duration: 60 },
    serverApiFailures: { points: 30, duration: 60 },
  },

  publicUrl: undefined,
  passwordHashing: { concurrent: 4, concurrentPerIp: 2, waitMs: 250 },
  uploads: {
    unattachedPerHour: 60,
    unattachedBytesPerHour: 200 * 1024 * 1024,
    unattachedTtlMinutes: 24 * 60,
  },
  checkResponses: undefined,
  webhooks: {
    allowPrivate: undefined,
    intervalMs: 1_000,
    retryBaseMs: 30_000,
    retryForMs: 24 * 60 * 60_000,
    timeoutMs: 10_000,
  },
  metrics: { token: undefined, port: undefined, host: '127.0.0.1' },
  shutdownTimeoutMs: 10_000,
  files: { backend: 'disk' },
}

export type ServerOptions = Partial<
  Omit<Config, 'rateLimits' | 'stripe' | 'resend' | 'webhooks' | 'metrics' | HostileKeys>
> & {
  rateLimits?: Partial<RateLimits>
  webhooks?: Partial<WebhookConfig>
  metrics?: Partial<Config['metrics']>
  stripe?: Partial<Config['stripe']>
  resend?: Partial<Config['resend']>
} & HostileOptions

type HostileKeys = 'passwordHashing' | 'uploads'
type HostileOptions = {
  passwordHashing?: Partial<Config['passwordHashing']>
  uploads?: Partial<Config['uploads']>
}

export function resolveConfig(options: ServerOptions = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    ...options,
    rateLimits: { ...DEFAULT_CONFIG.rateLimits, ...options.rateLimits },
    stripe: { ...DEFAULT_CONFIG.stripe, ...options.stripe },
    resend: { ...DEFAULT_CONFIG.resend, ...options.resend },
    webhooks: { ...DEFAULT_CONFIG.webhooks, ...options.webhooks },
    metrics: { ...DEFAULT_CONFIG.metrics, ...options.metrics },
    ...hostileConfig(options),
  }
}

function hostileConfig(options: HostileOptions & { publicUrl?: string | undefined }) {
  const publicUrl = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl)
  return {
    publicUrl,
    passwordHashing: { ...DEFAULT_CONFIG.passwordHashing, ...options.passwordHashing },
    uploads: { ...DEFAULT_CONFIG.uploads, ...options.uploads },
  }
}

/** `https://chat.example.com` (an origin: no path, query or credentials), or a readable error. */
function parsePublicUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`publicUrl "${value}" is not a URL (e.g. https://chat.example.com)`)
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    url.pathname !== '/'
  )
    throw new Error(
      `publicUrl "${value}" must be an http(s) origin without a path (e.g. https://chat.example.com)`,
    )
  return url.origin
}
