#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { rotateIdentitySecret, setOrigins } from './admin/apps.js'
import { deactivateBuilder, listBuilders, setBuilderTools } from './admin/builders.js'
import { addBuilder, createApp, listApps, listAudits } from './admin/commands.js'
import { keysCommand } from './admin/keys.js'
import { notifyPolicyChange } from './admin/notices.js'
import { showTranscript } from './admin/transcripts.js'
import { UsageError } from './admin/usage-error.js'
import { grantToUser, lookUpUser } from './admin/users.js'
import { setBusinessHours } from './availability/hours-admin.js'
import { copyDatabase } from './db/copy.js'
import { redactUrl } from './db/database.js'
import { DEMO } from './seed.js'
import { createContext, startServer } from './server.js'
import type { FilesConfig } from './storage/files.js'

const HELP = `suportra-server — the reference Suportra API server

Usage:
  suportra-server [--port 8787] [--host 127.0.0.1] [--db ./suportra.db | :memory: | postgres://…] [--seed demo]
                  [--public-url https://chat.example.com] [--allow-private-webhooks]
  suportra-server apps create --name NAME --origin ORIGIN [--origin ORIGIN…] [--identity-required] [--db FILE]
  suportra-server apps list [--db FILE]
  suportra-server apps keys create --app APP_ID [--name NAME] | apps keys list --app APP_ID | apps keys revoke --key KEY_ID
                  (server API keys: shown once at creation; rotate by creating a new one, then revoking the old)
  suportra-server apps hours --app ID --time-zone Europe/Berlin --hours "mon-fri 09:00-17:00" [--hours …]
                             (no --hours: always open) [--db FILE]
  suportra-server audits list [--db FILE]
  suportra-server builders add --email EMAIL --name NAME --password PASSWORD [--tools cursor,v0] [--db FILE]
  suportra-server builders list | set-tools --email EMAIL --tools cursor,v0 | deactivate --email EMAIL [--db …]
                  (deactivate: no more sign-in, sign-ins revoked, their active sessions back to the queue)
  suportra-server apps origins --app APP_ID --origin ORIGIN [--origin ORIGIN…] [--db …]
  suportra-server apps rotate-secret --app APP_ID [--overlap-hours 24] [--db …]   (old secret valid until then)
  suportra-server users show EMAIL|USER_ID|APP_ID:EXTERNAL_ID [--db …]
  suportra-server users grant EMAIL|USER_ID|APP_ID:EXTERNAL_ID --amount N --reason "…" [--db …]
                  (credits with the reason the user sees; a refund is a grant whose reason says so)
  suportra-server transcripts show SESSION_ID --reason "support: …"|"safety: …" [--staff NAME] [--db …]
                  (recorded with who, when and why; the user sees it in their data export)
  suportra-server notify-policy-change --subject TEXT --body-file FILE [--notice-id ID] [--db …]
                  (one email per registered user through the outbox; run again to resume, never twice)
  suportra-server db copy --from ./suportra.db --to postgres://…   (into an empty database, server stopped)

Environment: PORT, HOST, SUPORTRA_DB or DATABASE_URL, SUPORTRA_DATA_DIR, SUPORTRA_JWT_SECRET, SUPORTRA_LOG_LEVEL,
             SUPORTRA_TRUST_PROXY=N (N proxies of your own in front, e.g. 1 for a load balancer: the client IP
               is the X-Forwarded-For entry the outermost one wrote, N from the right),
             SUPORTRA_SCRYPT_N (password hashing cost, default 131072),
             STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET (payments), RESEND_API_KEY, SUPORTRA_EMAIL_FROM (email),
             SUPORTRA_SMTP_URL (smtp[s]://user:password@host:port: email through SMTP rather than Resend),
             SUPORTRA_DEV_PAGES=1 (test checkout and /dev/mail; on by default with --seed demo),
             SUPORTRA_PUBLIC_URL (the server's public origin, as --public-url; default: the listen address),
             SUPORTRA_HASHES_CONCURRENT, SUPORTRA_HASHES_PER_IP (password hashes at once: 4, 2),
             SUPORTRA_UPLOADS_PER_HOUR, SUPORTRA_UPLOAD_BYTES_PER_HOUR, SUPORTRA_UPLOAD_TTL_MINUTES
               (unattached uploads per user: 60, 209715200 bytes; deleted after 1440 minutes),
             SUPORTRA_SOCKETS_PER_USER, SUPORTRA_SOCKETS_PER_IP, SUPORTRA_UNAUTHENTICATED_SOCKETS_PER_IP,
             SUPORTRA_FRAMES_PER_SECOND (realtime: 50, 500, 100 sockets; 20 frames a second per socket),
             SUPORTRA_AWAY_EMAIL_MINUTES (a builder's reply is emailed to a user gone this long: 5),
             SUPORTRA_BUILDER_CAPACITY (active sessions per builder before availability says busy: 1),
             SUPORTRA_WEBHOOK_TIMEOUT_MS (longest wait for a webhook endpoint's answer, default 10000),
             SUPORTRA_METRICS_TOKEN (GET /metrics with Authorization: Bearer <token>),
             SUPORTRA_METRICS_PORT, SUPORTRA_METRICS_HOST (GET /metrics without a token on a port of its own,
               default host 127.0.0.1), SUPORTRA_SHUTDOWN_TIMEOUT_MS (SIGTERM: time to finish, default 10000),
             SUPORTRA_LOG_FORMAT=json|pretty (default: pretty on a terminal, JSON otherwise),
             SUPORTRA_FILES=disk|database|s3 (attachments: --data-dir, the database, or a bucket), with s3:
               SUPORTRA_S3_BUCKET, SUPORTRA_S3_REGION (us-east-1), SUPORTRA_S3_ENDPOINT (S3-compatible services),
               SUPORTRA_S3_PREFIX, SUPORTRA_S3_PATH_STYLE=1, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY

--allow-private-webhooks lets webhook endpoints be http:// and on private or loopback addresses (a backend on
127.0.0.1 in development; on by default with --seed demo). Never in production.`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    'data-dir': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    origin: { type: 'string', multiple: true },
    'identity-required': { type: 'boolean' },
    email: { type: 'string' },
    password: { type: 'string' },
    tools: { type: 'string' },
    app: { type: 'string' },
    'time-zone': { type: 'string' },
    hours: { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    'overlap-hours': { type: 'string' },
    reason: { type: 'string' },
    amount: { type: 'string' },
    staff: { type: 'string' },
    subject: { type: 'string' },
    'body-file': { type: 'string' },
    'notice-id': { type: 'string' },
    // Hostile clients (docs/security.md).
    'public-url': { type: 'string' },
    // Server API keys and webhooks.
    key: { type: 'string' },
    'allow-private-webhooks': { type: 'boolean' },
  },
})

const env = process.env
const db = values.db ?? env.SUPORTRA_DB ?? env.DATABASE_URL ?? './suportra.db'
const dataDir = values['data-dir'] ?? env.SUPORTRA_DATA_DIR
const common = {
  db,
  ...(dataDir && { dataDir }),
  ...(env.SUPORTRA_JWT_SECRET && { jwtSecret: env.SUPORTRA_JWT_SECRET }),
  ...trustProxy(),
  ...(env.SUPORTRA_SCRYPT_N && { scryptCost: Number(env.SUPORTRA_SCRYPT_N) }),
  stripe: {
    secretKey: env.STRIPE_SECRET_KEY,
    ...(env.STRIPE_WEBHOOK_SECRET && { webhookSecret: env.STRIPE_WEBHOOK_SECRET }),
  },
  resend: { apiKey: env.RESEND_API_KEY },
  smtp: { url: env.SUPORTRA_SMTP_URL || undefined },
  ...(env.SUPORTRA_EMAIL_FROM && { emailFrom: env.SUPORTRA_EMAIL_FROM }),
  ...hostileOptions(),
  ...webhookOptions(),
  ...operationsOptions(),
}

/** Webhooks: private addresses (development) and the endpoint timeout. */
function webhookOptions() {
  const timeout = env.SUPORTRA_WEBHOOK_TIMEOUT_MS
  if (timeout !== undefined && !(Number.isSafeInteger(Number(timeout)) && Number(timeout) >= 100)) {
    console.error(
      `suportra-server: SUPORTRA_WEBHOOK_TIMEOUT_MS must be a whole number of at least 100, not "${timeout}"`,
    )
    process.exit(2)
  }
  return {
    webhooks: {
      ...(values['allow-private-webhooks'] && { allowPrivate: true }),
      ...(timeout !== undefined && { timeoutMs: Number(timeout) }),
    },
  }
}

/** Metrics and shutdown (docs/guides/self-hosting.md), from the environment. */
function operationsOptions() {
  const whole = (name: string, min: number, max: number) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    const value = Number(raw)
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value
    console.error(`suportra-server: ${name} must be a whole number from ${min} to ${max}, not "${raw}"`)
    process.exit(2)
  }
  const port = whole('SUPORTRA_METRICS_PORT', 0, 65_535)
  const shutdownTimeoutMs = whole('SUPORTRA_SHUTDOWN_TIMEOUT_MS', 0, 600_000)
  return {
    metrics: {
      token: env.SUPORTRA_METRICS_TOKEN || undefined,
      port,
      ...(env.SUPORTRA_METRICS_HOST && { host: env.SUPORTRA_METRICS_HOST }),
    },
    ...(shutdownTimeoutMs !== undefined && { shutdownTimeoutMs }),
    files: filesOption(),
  }
}

/** SUPORTRA_FILES and, for `s3`, the bucket's settings. */
function filesOption(): FilesConfig {
  const backend = env.SUPORTRA_FILES || 'disk'
  if (backend === 'disk' || backend === 'database') return { backend }
  if (backend !== 's3') {
    console.error(`suportra-server: SUPORTRA_FILES must be disk, database or s3, not "${backend}"`)
    process.exit(2)
  }
  if (!env.SUPORTRA_S3_BUCKET) {
    console.error('suportra-server: SUPORTRA_FILES=s3 needs SUPORTRA_S3_BUCKET')
    process.exit(2)
  }
  return {
    backend,
    bucket: env.SUPORTRA_S3_BUCKET,
    endpoint: env.SUPORTRA_S3_ENDPOINT || undefined,
    region: env.SUPORTRA_S3_REGION || env.AWS_REGION || 'us-east-1',
    accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
    forcePathStyle: env.SUPORTRA_S3_PATH_STYLE === '1' || env.SUPORTRA_S3_PATH_STYLE === 'true',
    prefix: env.SUPORTRA_S3_PREFIX ?? '',
  }
}

/** SUPORTRA_TRUST_PROXY: how many proxies of your own are in front (`1` for one load balancer). */
function trustProxy() {
  const raw = env.SUPORTRA_TRUST_PROXY
  if (raw === undefined || raw === '') return {}
  const hops = raw === 'true' ? 1 : raw === 'false' ? 0 : Number(raw)
  if (Number.isSafeInteger(hops) && hops >= 0 && hops <= 10) return { trustProxy: hops }
  console.error(
    `suportra-server: SUPORTRA_TRUST_PROXY must be the number of proxies in front of the server (0–10), not "${raw}"`,
  )
  process.exit(2)
}

/** The public origin and the limits against hostile clients (docs/security.md), from flags and environment. */
function hostileOptions() {
  const publicUrl = values['public-url'] ?? env.SUPORTRA_PUBLIC_URL
  const number = (name: string) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    const value = Number(raw)
    if (Number.isSafeInteger(value) && value >= 1) return value
    console.error(`suportra-server: ${name} must be a whole number of at least 1, not "${raw}"`)
    process.exit(2)
  }
  const drop = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
  return {
    ...(publicUrl && { publicUrl }),
    passwordHashing: drop({
      concurrent: number('SUPORTRA_HASHES_CONCURRENT'),
      concurrentPerIp: number('SUPORTRA_HASHES_PER_IP'),
    }),
    ...drop({
      socketsPerUser: number('SUPORTRA_SOCKETS_PER_USER'),
      socketsPerIp: number('SUPORTRA_SOCKETS_PER_IP'),
      unauthenticatedSocketsPerIp: number('SUPORTRA_UNAUTHENTICATED_SOCKETS_PER_IP'),
      framesPerSecond: number('SUPORTRA_FRAMES_PER_SECOND'),
      builderSessionCapacity: number('SUPORTRA_BUILDER_CAPACITY'),
      awayEmailMs: (number('SUPORTRA_AWAY_EMAIL_MINUTES') ?? 0) * 60_000 || undefined,
    }),
    uploads: drop({
      unattachedPerHour: number('SUPORTRA_UPLOADS_PER_HOUR'),
      unattachedBytesPerHour: number('SUPORTRA_UPLOAD_BYTES_PER_HOUR'),
      unattachedTtlMinutes: number('SUPORTRA_UPLOAD_TTL_MINUTES'),
    }),
  }
}

function required(name: keyof typeof values): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required (see --help)`)
  return value
}

async function admin(command: string) {
  const ctx = await createContext(common)
  try {
    if (command === 'apps create') {
      const app = await createApp(ctx, {
        name: required('name'),
        origins: values.origin ?? [],
        identityRequired: values['identity-required'] ?? false,
      })
      console.log(`App created.\n  app id:          ${app.id}\n  identity secret: ${app.identitySecret}`)
      console.log('Keep the identity secret on your backend; it signs identity tokens (HS256).')
    } else if (command === 'apps list') {
      for (const app of await listApps(ctx)) {
        console.log(
          `${app.id}\t${app.name}\t${app.allowedOrigins.join(' ')}${app.identityRequired ? '\tidentity required' : ''}`,
        )
      }
    } else if (command === 'apps keys') {
      for (const line of await keysCommand(ctx, positionals[2], values)) console.log(line)
    } else if (command === 'apps hours') {
      const hours = await setBusinessHours(ctx, {
        appId: required('app'),
        timeZone: values['time-zone'],
        hours: values.hours ?? [],
      })
      console.log(hours ? `Business hours set: ${JSON.stringify(hours)}` : 'Always open (no business hours).')
    } else if (command === 'audits list') {
      for (const audit of await listAudits(ctx)) {
        console.log(
          `${new Date(audit.created_at).toISOString()}\t${audit.email}\t${audit.tools}\t${audit.building.replace(/\s+/g, ' ').slice(0, 80)}`,
        )
      }
    } else if (command === 'builders add') {
      const builder = await addBuilder(ctx, {
        name: required('name'),
        email: required('email'),
        password: required('password'),
        tools: values.tools ? values.tools.split(',').map((t) => t.trim()) : [],
      })
      console.log(`Builder ${builder.email} added (${builder.id}), covering ${builder.tools.join(', ')}`)
    } else if (command === 'builders list') {
      for (const b of await listBuilders(ctx))
        console.log(
          `${b.id}\t${b.email}\t${b.name}\t${b.tools.join(',')}${b.deactivated_at ? '\tdeactivated' : ''}`,
        )
    } else if (command === 'builders set-tools') {
      const tools = required('tools')
        .split(',')
        .map((t) => t.trim())
      await setBuilderTools(ctx, required('email'), tools)
      console.log(`${values.email} now covers ${tools.join(', ')}`)
    } else if (command === 'builders deactivate') {
      const { requeued } = await deactivateBuilder(ctx, required('email'))
      console.log(
        `${values.email} deactivated; ${requeued.length} active session(s) back in the queue${requeued.length ? `: ${requeued.join(' ')}` : ''}`,
      )
    } else if (command === 'apps origins') {
      await setOrigins(ctx, required('app'), values.origin ?? [])
      console.log(`${values.app} allows ${(values.origin ?? []).join(' ')}`)
    } else if (command === 'apps rotate-secret') {
      const hours = values['overlap-hours'] === undefined ? 24 : Number(values['overlap-hours'])
      const { secret, previousValidUntil } = await rotateIdentitySecret(ctx, required('app'), hours)
      console.log(
        `New identity secret: ${secret}\nThe previous one stays valid until ${new Date(previousValidUntil).toISOString()}.`,
      )
    } else if (command === 'users show') {
      const query = positionals[2]
      if (!query) throw new UsageError('users show needs an email, a user id or APP_ID:EXTERNAL_ID')
      const users = await lookUpUser(ctx, query)
      if (users.length === 0) console.log('No user found.')
      for (const u of users) console.log(JSON.stringify(u))
    } else if (command === 'users grant') {
      const query = positionals[2]
      if (!query) throw new UsageError('users grant needs an email, a user id or APP_ID:EXTERNAL_ID')
      const { transaction, balance } = await grantToUser(ctx, query, values.amount, values.reason)
      console.log(`Granted ${transaction.amount} (${transaction.id}); balance now ${balance}.`)
    } else if (command === 'transcripts show') {
      const sessionId = positionals[2]
      if (!sessionId) throw new UsageError('transcripts show needs a session id')
      const staff = values.staff || userInfo().username
      const { session, messages } = await showTranscript(ctx, { sessionId, reason: values.reason, staff })
      console.log(`Session ${session.id} (${session.tool}, ${session.status}) — access recorded for ${staff}`)
      if (session.transcript_deleted_at) console.log('(the user deleted this transcript)')
      for (const m of messages) {
        const text =
          m.code_content === null
            ? m.body
            : `${m.body}\n\`\`\`${m.code_language ?? ''}\n${m.code_content}\n\`\`\``
        console.log(
          `#${m.seq} ${new Date(m.created_at).toISOString()} ${m.author}${m.kind === 'event' ? ' (event)' : ''}: ${text}`,
        )
      }
    } else if (command === 'notify-policy-change') {
      const body = readFileSync(required('body-file'), 'utf8')
      const result = await notifyPolicyChange(ctx, {
        subject: required('subject'),
        body,
        ...(values['notice-id'] && { noticeId: values['notice-id'] }),
        onProgress: (n) => {
          if (n % 100 === 0) console.log(`${n} queued…`)
        },
      })
      console.log(
        `Notice ${result.id}: ${result.queued} email(s) queued now, ${result.total} in all. Run again to resume.`,
      )
    } else {
      throw new Error(`Unknown command "${command}" (see --help)`)
    }
  } finally {
    await ctx.bus.close?.()
    await ctx.store.close()
  }
}

/** `db copy`: every row of a SQLite file into an empty PostgreSQL database (the server stopped). */
async function copy() {
  const counts = await copyDatabase(required('from'), values.to ?? env.DATABASE_URL ?? required('to'))
  for (const [table, rows] of Object.entries(counts)) console.log(`${table}\t${rows}`)
  console.log('Copied. Copy the attachments folder too (--data-dir of the new instances).')
}

async function serve() {
  if (values.seed !== undefined && values.seed !== 'demo') throw new Error('--seed takes only "demo"')
  const server = await startServer({
    ...common,
    port: Number(values.port ?? env.PORT ?? 8787),
    host: values.host ?? env.HOST ?? '127.0.0.1',
    ...(values.seed === 'demo' && { seed: 'demo' as const }),
    devPages: values.seed === 'demo' || env.SUPORTRA_DEV_PAGES === '1',
  })
  console.log(`\nSuportra server on ${server.url}  (database: ${redactUrl(db)})`)
  const publicUrl = server.context.config.publicUrl
  if (publicUrl !== server.url) console.log(`  public URL: ${publicUrl}`)
  if (values.seed === 'demo') {
    console.log(`  app id:  ${DEMO.appId}   identity secret: ${DEMO.identitySecret}`)
    console.log(`  user:    ${DEMO.user.email} / ${DEMO.user.password} (${DEMO.user.credits} credits)`)
    console.log(`  builder: ${DEMO.builder.email} / ${DEMO.builder.password}`)
    console.log(`  server key: ${DEMO.serverKey}  (Authorization: Bearer, for /v1/server/…)\n`)
  }
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await server.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

try {
  if (values.help) console.log(HELP)
  else if (positionals.join(' ') === 'db copy') await copy()
  else if (positionals[0] === 'notify-policy-change') await admin('notify-policy-change')
  else if (positionals.length > 0) await admin(positionals.slice(0, 2).join(' '))
  else await serve()
} catch (error) {
  console.error(`suportra-server: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(error instanceof UsageError ? 2 : 1)
}
