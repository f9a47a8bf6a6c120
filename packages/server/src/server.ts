import { mkdtempSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import type { KyselyPlugin } from 'kysely'
import * as z from 'zod/mini'
import { createApp } from './app.js'
import { Apps } from './apps/apps.js'
import { TokenService } from './auth/tokens.js'
import { Presence } from './availability/presence.js'
import { startAwaySweep } from './away/away-email.js'
import { DEFAULT_CONFIG, resolveConfig, type ServerOptions } from './config.js'
import type { Context } from './context.js'
import { type Database, isPostgresUrl, openDatabase } from './db/database.js'
import { Mailer } from './email/outbox.js'
import { newSecret } from './ids.js'
import { createLogger, type Logger } from './log.js'
import { sweepUploads } from './messages/upload-sweep.js'
import { Metrics } from './ops/metrics.js'
import { queueByTool } from './ops/queue-stats.js'
import { serveMetricsPort } from './ops/routes.js'
import { Background, InFlight } from './ops/shutdown.js'
import { openRateLimiters } from './rate-limit.js'
import { type EventBus, LocalBus } from './realtime/bus.js'
import { Hub } from './realtime/hub.js'
import { PgBus } from './realtime/pg-bus.js'
import { serveRealtime } from './realtime/upgrade.js'
import { seedDemo } from './seed.js'
import { expireWaiting } from './sessions/withdraw.js'
import { openFiles } from './storage/open-files.js'
import { WebhookWorker } from './webhooks/worker.js'

export interface StartOptions extends ServerOptions {
  /** 0 picks a free port. */
  port?: number
  host?: string
  seed?: 'demo'
  logger?: Logger
  /**
   * Kysely plugins added to the database connection, for instrumentation (the tests count the
   * statements a request issues with one). Not for changing queries.
   */
  queryPlugins?: KyselyPlugin[]
}

export interface SuportraServer {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string
  port: number
  /** `http://host:port` of the separate metrics listener, when `metrics.port` is set. */
  metricsUrl: string | undefined
  context: Context
  hub: Hub
  /** Sends what the email outbox holds (also runs by itself every two seconds). */
  mailer: Mailer
  /** Sends the webhook outbox (also runs by itself, every `webhooks.intervalMs`). */
  webhooks: WebhookWorker
  /** Cuts every HTTP and WebSocket connection at once, as a network failure would (fault tests). */
  dropConnections(): void
  /**
   * Shuts down gracefully: `/ready` turns 503, listening stops, sockets close with 1012 (clients
   * reconnect elsewhere), in-flight requests and background workers finish up to
   * `config.shutdownTimeoutMs` (or `deadlineMs`), then every connection is cut and the database closed.
   */
  close(options?: { deadlineMs?: number }): Promise<void>
}

/** Builds the shared context: database (migrated), secrets, token service, bus. */
export async function createContext(
  options: ServerOptions & { logger?: Logger; queryPlugins?: KyselyPlugin[] } = {},
): Promise<Context> {
  // Validation errors go back to people: English messages, not zod/mini's bare "Invalid input".
  z.config(z.locales.en())
  const config = resolveConfig(options)
  if (config.stripe.secretKey && config.stripe.webhookSecret === DEFAULT_CONFIG.stripe.webhookSecret) {
    // The development secret is in the source: with real payments it would let anyone sign a webhook.
    throw new Error('Set STRIPE_WEBHOOK_SECRET (stripe.webhookSecret) when STRIPE_SECRET_KEY is set')
  }
  const store = await openDatabase(config.db, { plugins: options.queryPlugins ?? [] })
  const log = options.logger ?? createLogger()
  // Several instances share one PostgreSQL database; their realtime events cross through it.
  const bus: EventBus = store.dialect === 'postgres' ? await PgBus.connect(config.db, log) : new LocalBus()
  const jwtSecret = config.jwtSecret ?? (await storedSecret(store, 'jwt_secret'))
  const tokens = new TokenService(jwtSecret, store, config, (familyIds, userId) =>
    bus.publish({ kind: 'revoke', userId, familyIds }),
  )
  // Revocations (from this instance or another) and resyncs drop the verified tokens they concern.
  bus.subscribe((message) => tokens.verified.hear(message))
  const filesDir =
    config.dataDir ??
    (config.db === ':memory:'
      ? mkdtempSync(join(tmpdir(), 'suportra-files-'))
      : isPostgresUrl(config.db)
        ? join(process.cwd(), 'suportra-files')
        : `${config.db}.files`)
  return {
    config,
    store,
    bus,
    tokens,
    apps: new Apps(store),
    log,
    limits: await openRateLimiters(config.rateLimits, store),
    filesDir,
    files: await openFiles(config.files, store, filesDir),
    metrics: new Metrics(),
    background: new Background(),
    requests: new InFlight(),
  }
}

/** Starts the Suportra API server: HTTP on `port`, realtime at `/v1/realtime`. */
export async function startServer(options: StartOptions = {}): Promise<SuportraServer> {
  const ctx = await createContext(options)
  // Private webhook addresses (a backend on 127.0.0.1) only in development: with the demo seed, or when asked.
  ctx.config.webhooks.allowPrivate ??= options.seed === 'demo'
  if (options.seed === 'demo') await seedDemo(ctx)
  const app = createApp(ctx)
  const hub = new Hub(ctx)
  const presence = new Presence(ctx, hub)
  const mailer = new Mailer(ctx)
  mailer.start()
  const webhooks = new WebhookWorker(ctx)
  webhooks.start()
  ctx.background.register({ name: 'email outbox', drain: (deadline) => mailer.drain(deadline) })
  ctx.background.register({ name: 'webhook outbox', drain: (deadline) => webhooks.drain(deadline) })
  ctx.metrics.observe({ sockets: () => hub.counts(), queue: () => queueByTool(ctx) })
  const { metrics } = ctx.config
  if (metrics.token || metrics.port !== undefined) ctx.metrics.collectProcessMetrics()
  const away = startAwaySweep(ctx)
  const expiry = setInterval(
    () => expireWaiting(ctx).catch((err) => ctx.log.error({ err }, 'expiry failed')),
    30_000,
  )
  expiry.unref()
  // Uploads never sent and files without a row (docs/security.md); at start, then every 10 minutes.
  const sweepUploadsNow = () =>
    sweepUploads(ctx).catch((err) => ctx.log.error({ err }, 'upload sweep failed'))
  let sweeping = sweepUploadsNow()
  const sweep = setInterval(() => {
    sweeping = sweeping.then(sweepUploadsNow)
  }, 10 * 60_000)
  sweep.unref()
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  // In flight from the request until its response is written out (a shutdown waits for them).
  server.on('request', (_request, response) => {
    ctx.requests.started()
    response.once('close', () => ctx.requests.finished())
  })
  const wss = serveRealtime(server, hub, ctx)

  await new Promise<void>((resolve, reject) => {
    // `on`, not `once`: a busy port can emit 'error' twice, and the second must not end the process.
    server.on('error', reject)
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port, address } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  const metricsServer =
    metrics.port === undefined ? undefined : await serveMetricsPort(ctx, metrics.port, metrics.host)
  ctx.log.info(
    { port, metricsPort: (metricsServer?.address() as AddressInfo | undefined)?.port },
    'listening',
  )

  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`
  // In development the public origin is the listen address (see config.publicUrl).
  ctx.config.publicUrl ??= url
  const metricsAddress = metricsServer?.address() as AddressInfo | undefined
  return {
    url,
    port,
    metricsUrl: metricsAddress && `http://${metrics.host}:${metricsAddress.port}`,
    context: ctx,
    hub,
    mailer,
    webhooks,
    dropConnections() {
      hub.dropAll()
      server.closeAllConnections()
    },
    async close(options = {}) {
      const started = Date.now()
      const deadline = started + (options.deadlineMs ?? ctx.config.shutdownTimeoutMs)
      ctx.requests.closing = true
      clearInterval(expiry)
      clearInterval(sweep)
      await away.stop()
      presence.close()
      // No new connections; idle keep-alive ones close now, busy ones once their response is out.
      const listening = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      hub.close()
      wss.close()
      const finished = await ctx.requests.settled(deadline)
      server.closeAllConnections()
      // Sockets that did not answer the close frame by the deadline are cut.
      let cut: NodeJS.Timeout | undefined
      await Promise.race([
        listening,
        new Promise<void>((resolve) => {
          cut = setTimeout(resolve, Math.max(0, deadline - Date.now()))
        }),
      ])
      clearTimeout(cut)
      hub.dropAll()
      await listening
      const workers = await ctx.background.drain(deadline)
      await sweeping
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()))
      metricsServer?.closeAllConnections()
      await ctx.bus.close?.()
      await ctx.store.close()
      ctx.log.info({ ms: Date.now() - started, requestsFinished: finished, workers }, 'shut down')
    },
  }
}

async function storedSecret(store: Database, key: string): Promise<string> {
  await store.db
    .insertInto('settings')
    .values({ key, value: newSecret() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  const row = await store.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow()
  return row.value
}
