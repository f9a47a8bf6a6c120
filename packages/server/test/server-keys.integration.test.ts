import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  api,
  CLI_PATH,
  DEMO,
  databaseFor,
  startTestServer,
  startWebhookReceiver,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// The operator's side of server keys (`suportra-server apps keys`, the built CLI as an operator runs
// it), rotation, and the server API's rate limits.

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'suportra-keys-'))
let db: string
let server: TestServer

async function cli(...args: string[]) {
  return run(process.execPath, [CLI_PATH, ...args, '--db', db], {
    env: { ...process.env, SUPORTRA_LOG_LEVEL: 'warn', SUPORTRA_SCRYPT_N: '4096' },
  })
}

beforeAll(async () => {
  db = await databaseFor(join(dir, 'keys.db'))
  // The server seeds the demo app on the database the CLI then uses.
  server = await startTestServer({ db, dataDir: join(dir, 'files') })
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const sessions = (key: string) => api(server.url, 'GET', '/v1/server/sessions', { token: key })

describe('suportra-server apps keys', () => {
  test('create prints a key once; list shows its id and first characters only; revoke rotates it out', async () => {
    const created = (await cli('apps', 'keys', 'create', '--app', DEMO.appId, '--name', 'backend')).stdout
    const first = created.match(/key:\s+(sk_\S+)/)?.[1] as string
    const firstId = created.match(/key id:\s+(key_\S+)/)?.[1] as string
    expect(first).toMatch(/^sk_[\w-]{40,}$/)
    const second = (await cli('apps', 'keys', 'create', '--app', DEMO.appId)).stdout.match(
      /key:\s+(sk_\S+)/,
    )?.[1]
    expect(second).toBeDefined()
    // Several keys at once: both work.
    expect((await sessions(first)).status).toBe(200)
    expect((await sessions(second as string)).status).toBe(200)

    const listed = (await cli('apps', 'keys', 'list', '--app', DEMO.appId)).stdout
    expect(listed).toContain(firstId)
    expect(listed).toContain(`${first.slice(0, 8)}…`)
    expect(listed).not.toContain(first)
    expect(listed).toMatch(/backend\tcreated \S+\tlast used \d{4}-/)

    expect((await cli('apps', 'keys', 'revoke', '--key', firstId)).stdout).toContain('revoked')
    expect((await sessions(first)).status).toBe(401)
    expect((await sessions(second as string)).status).toBe(200)
    expect((await cli('apps', 'keys', 'list', '--app', DEMO.appId)).stdout).toMatch(/revoked \d{4}-/)
  })

  test('usage mistakes end with exit code 1 and a one-line reason', async () => {
    for (const [args, message] of [
      [['apps', 'keys', 'create'], '--app is required'],
      [['apps', 'keys', 'create', '--app', 'app_nope'], 'No app app_nope'],
      [['apps', 'keys', 'revoke'], '--key is required'],
      [['apps', 'keys', 'revoke', '--key', 'key_nope'], 'No active key key_nope'],
      [['apps', 'keys', 'rotate'], 'Use apps keys create|list|revoke'],
    ] as const) {
      const error = await cli(...args).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      )
      expect(error?.code, args.join(' ')).toBe(1)
      expect(error?.stderr).toContain(message)
    }
  })
})

describe('server API limits and webhook give-up', () => {
  let limited: TestServer
  beforeAll(async () => {
    limited = await startTestServer({
      rateLimits: { serverApi: { points: 3, duration: 60 }, serverApiFailures: { points: 2, duration: 60 } },
      webhooks: { intervalMs: 30, retryBaseMs: 50, retryForMs: 400 },
    })
  })
  afterAll(() => limited.close())

  test('a key past its rate limit gets 429 with Retry-After; so does an address sending bad keys', async () => {
    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await api(limited.url, 'GET', '/v1/server/sessions', { token: DEMO.serverKey })).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const bad = []
    for (let i = 0; i < 3; i++)
      bad.push(await api(limited.url, 'GET', '/v1/server/sessions', { token: 'sk_guess' }))
    expect(bad.map((r) => r.status)).toEqual([401, 401, 429])
    expect(Number(bad[2]?.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  test('a delivery that keeps failing is marked failed once its retry window is over', async () => {
    const receiver = await startWebhookReceiver()
    receiver.respond = () => 503
    const { db: store } = limited.current.context.store
    await store
      .insertInto('webhook_endpoints')
      .values({
        id: 'we_down',
        app_id: DEMO.appId,
        url: receiver.url,
        events: '["credits.granted"]',
        secret: 'whsec_x',
        created_at: Date.now(),
      })
      .execute()
    const { grantCredits } = await import('../src/credits/grant.js')
    const { upsertIdentifiedUser } = await import('../src/users/users.js')
    const ctx = limited.current.context
    const user = await upsertIdentifiedUser(ctx.store, { appId: DEMO.appId, externalId: 'down-user' })
    const granted = await grantCredits(ctx, {
      userId: user.id,
      amount: 1,
      reason: 'x',
      source: 'operator',
      key: 'op-1',
    })
    expect(granted).toMatchObject({ granted: true, balance: 1 })
    // The same key again (an operator's command run twice) grants nothing more.
    expect(
      await grantCredits(ctx, { userId: user.id, amount: 1, reason: 'x', source: 'operator', key: 'op-1' }),
    ).toMatchObject({ granted: false, balance: 1 })
    await expect
      .poll(
        async () =>
          await store
            .selectFrom('webhook_deliveries')
            .select(['status', 'attempts', 'last_status'])
            .where('endpoint_id', '=', 'we_down')
            .executeTakeFirst(),
      )
      .toMatchObject({ status: 'failed', last_status: 503 })
    const attempts = receiver.received.length
    expect(attempts).toBeGreaterThanOrEqual(2)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(receiver.received).toHaveLength(attempts)
    await receiver.close()
  })
})
