import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuthResponse, Message } from '@suportra/protocol'
import { SignJWT } from 'jose'
import { createLogger } from '../log.js'
import { DEMO } from '../seed.js'
import { type StartOptions, type SuportraServer, startServer } from '../server.js'
import { createTestDatabase, type TestDatabase, testDialect } from './postgres.js'

export { DEMO }

export interface TestServer {
  url: string
  /** The database this server uses: a SQLite file, or a PostgreSQL URL (fresh for each test server). */
  db: string
  /** Same as `db` (the name from before PostgreSQL). */
  dbFile: string
  current: SuportraServer
  /** Stops the server and starts it again on the same database file and port. */
  restart(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the real server on a random port with a fresh database and the demo seed: a SQLite file,
 * or with `SUPORTRA_TEST_DB=postgres` a new database on the cluster at `SUPORTRA_TEST_PG_URL`
 * (dropped on close). Pass `db` (and `dataDir`) of another test server to start a second
 * instance on the same database. Password hashing is cheaper than in production so tests stay
 * fast, and allowed more at once (every test client speaks from 127.0.0.1); nothing else differs.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-test-'))
  let database: TestDatabase | undefined
  if (options.db === undefined && testDialect() === 'postgres') database = await createTestDatabase()
  const dbFile = options.db ?? database?.url ?? join(dir, 'test.db')
  const base: StartOptions = {
    db: dbFile,
    ...(database && { dataDir: join(dir, 'files') }),
    port: 0,
    seed: 'demo',
    devPages: true,
    scryptCost: 2 ** 12,
    // Every test client speaks from 127.0.0.1, and tests sign users up in parallel.
    passwordHashing: { concurrent: 64, concurrentPerIp: 64 },
    logger: createLogger(process.env.SUPORTRA_LOG_LEVEL ?? 'silent'),
    // A hung third party (a fake Resend that never answers) holds a shutdown this long at most.
    shutdownTimeoutMs: 3_000,
    ...options,
  }
  let current: SuportraServer
  try {
    current = await startServer(base)
  } catch (error) {
    await database?.drop()
    throw error
  }
  const port = current.port
  const handle: TestServer = {
    url: current.url,
    db: dbFile,
    dbFile,
    current,
    async restart() {
      await current.close()
      // Server and test share one event loop: let clients see their pooled sockets close
      // before anything reuses them (a real restart takes far longer than this).
      await new Promise((resolve) => setTimeout(resolve, 20))
      current = await startServer({ ...base, port })
      handle.current = current
    },
    async close() {
      await current.close()
      await database?.drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return handle
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them
export interface ApiResult<T = any> {
  status: number
  body: T
  headers: Headers
}

/** A plain HTTP call to the API, for tests that check status codes and bodies exactly. */
// biome-ignore lint/suspicious/noExplicitAny: see ApiResult
export async function api<T = any>(
  url: string,
  method: string,
  path: string,
  options: {
    token?: string
    body?: unknown
    app?: string
    headers?: Record<string, string>
    raw?: BodyInit
  } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.app !== undefined) headers['x-suportra-app'] = options.app
  let body = options.raw
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(options.body)
  }
  const response = await fetch(url + path, { method, headers, ...(body !== undefined && { body }) })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: response.status, body: parsed as T, headers: response.headers }
}

/** Every stored message of a session, oldest first, paging through the API. */
export async function allMessages(url: string, token: string, sessionId: string): Promise<Message[]> {
  const messages: Message[] = []
  for (let more = true; more; ) {
    const after = messages.at(-1)?.seq ?? 0
    const page = await api(url, 'GET', `/v1/sessions/${sessionId}/messages?after=${after}&limit=200`, {
      token,
    })
    if (page.status !== 200)
      throw new Error(`reading messages failed: ${page.status} ${JSON.stringify(page.body)}`)
    messages.push(...page.body.messages)
    more = page.body.hasMore
  }
  return messages
}

/** Signs in with a password through the demo app. */
export async function signIn(
  url: string,
  email: string,
  password: string = DEMO.user.password,
): Promise<AuthResponse> {
  const result = await api<AuthResponse>(url, 'POST', '/v1/auth/sign-in', {
    app: DEMO.appId,
    body: { email, password },
  })
  if (result.status !== 200)
    throw new Error(`sign-in as ${email} failed: ${result.status} ${JSON.stringify(result.body)}`)
  return result.body
}

/** Signs up a fresh user through the API and, if asked, grants them credits. */
export async function createUser(
  server: TestServer,
  options: { name?: string; email?: string; credits?: number } = {},
): Promise<AuthResponse> {
  const email = options.email ?? `user-${Math.random().toString(36).slice(2, 10)}@example.com`
  const result = await api<AuthResponse>(server.url, 'POST', '/v1/auth/sign-up', {
    app: DEMO.appId,
    body: { name: options.name ?? 'Test User', email, password: DEMO.user.password, ageConfirmed: true },
  })
  if (result.status !== 201)
    throw new Error(`sign-up failed: ${result.status} ${JSON.stringify(result.body)}`)
  if (options.credits) await grantCredits(server, result.body.user.id, options.credits)
  return result.body
}

/** Grants credits directly in the ledger (what a verified purchase does). */
export async function grantCredits(server: TestServer, userId: string, amount: number): Promise<void> {
  const { store } = server.current.context
  await store.db
    .insertInto('ledger')
    .values({
      id: `txn_test_${Math.random().toString(36).slice(2)}`,
      user_id: userId,
      kind: 'grant',
      amount,
      idempotency_key: `test-grant:${Math.random().toString(36).slice(2)}`,
      reference: 'test',
      created_at: Date.now(),
    })
    .execute()
}

/** Signs a vendor identity token the way a vendor's backend would (HS256 with the app's secret). */
export async function signIdentityToken(
  claims: { sub: string; name?: string; email?: string },
  options: { secret?: string; expiresIn?: string | number; alg?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt()
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn)
  else jwt.setExpirationTime('10m')
  return jwt.sign(new TextEncoder().encode(options.secret ?? DEMO.identitySecret))
}
export { type Database, openDatabase } from '../db/database.js'
export {
  chargeObject,
  checkoutSessionObject,
  deliverStripeWebhook,
  disputeObject,
  type FakeResend,
  type FakeStripe,
  type RecordedRequest,
  signStripePayload,
  startFakeResend,
  startFakeStripe,
  stripeEventPayload,
} from './fakes.js'
export { createTestDatabase, databaseFor, type TestDatabase, testDialect } from './postgres.js'
export { CLI_PATH, type ServerProcess, spawnServer, startProcess } from './process.js'
export { startProxy, type TcpProxy } from './proxy.js'
export {
  type FrameOptions,
  frame,
  type RawOptions,
  type RawSocket,
  rawExchange,
  rawSocket,
  textFrame,
} from './raw-socket.js'
export { insertMessages, insertWaitingSessions, type MessageRows, type WaitingRow } from './rows.js'
export { openSocket, type TestSocket } from './socket.js'
export { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'
