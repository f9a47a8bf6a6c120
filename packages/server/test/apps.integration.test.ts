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
  signIdentityToken,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// The operator's side of apps: `suportra-server apps create|list` (the built CLI, as an operator
// runs it) and what the "identity required" switch does to an app's sign-ins.

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'suportra-apps-'))
let db: string
let created: { id: string; secret: string }
let server: TestServer

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, [CLI_PATH, ...args, '--db', db], {
    env: { ...process.env, SUPORTRA_LOG_LEVEL: 'warn', SUPORTRA_SCRYPT_N: '4096' },
  })
  return stdout
}

beforeAll(async () => {
  db = await databaseFor(join(dir, 'apps.db'))
  const out = await cli(
    'apps',
    'create',
    '--name',
    'Acme IDE',
    '--origin',
    'https://ide.acme.example',
    '--origin',
    'http://localhost:*',
    '--identity-required',
  )
  const id = out.match(/app id:\s+(app_\S+)/)?.[1]
  const secret = out.match(/identity secret:\s+(\S+)/)?.[1]
  if (!id || !secret) throw new Error(`apps create printed no id and secret:\n${out}`)
  created = { id, secret }
  // The server on the database the CLI wrote (it adds the demo seed next to the new app).
  server = await startTestServer({ db, dataDir: join(dir, 'files') })
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('suportra-server apps', () => {
  test('create prints the app id and a long random identity secret', () => {
    expect(created.id).toMatch(/^app_[\w-]+$/)
    expect(created.secret.length).toBeGreaterThanOrEqual(32)
    expect(created.secret).not.toBe(DEMO.identitySecret)
  })

  test('list shows each app with its origins and switch, but never an identity secret', async () => {
    const out = await cli('apps', 'list')
    const line = out.split('\n').find((l) => l.startsWith(created.id))
    expect(line?.split('\t')).toEqual([
      created.id,
      'Acme IDE',
      'https://ide.acme.example http://localhost:*',
      'identity required',
    ])
    expect(out).toContain(DEMO.appId)
    expect(out).not.toContain(created.secret)
    expect(out).not.toContain(DEMO.identitySecret)
  })

  test('create refuses an app without an origin, or with a path in one', async () => {
    await expect(cli('apps', 'create', '--name', 'No origin')).rejects.toThrow(/at least one --origin/)
    await expect(
      cli('apps', 'create', '--name', 'Path', '--origin', 'https://x.example/app'),
    ).rejects.toThrow(/Not an origin/)
  })
})

describe('an app with identity required', () => {
  const as = { app: () => created.id, headers: { origin: 'https://ide.acme.example' } }
  const post = (path: string, body: unknown) =>
    api(server.url, 'POST', path, { app: as.app(), headers: as.headers, body })
  const users = async () =>
    (await server.current.context.store.db.selectFrom('users').select('id').execute()).length

  test('refuses sign-up with 403 and creates no account', async () => {
    const before = await users()
    const result = await post('/v1/auth/sign-up', {
      name: 'Eve',
      email: 'eve@example.com',
      password: 'long-enough-password',
      ageConfirmed: true,
    })
    expect(result.status).toBe(403)
    expect(result.body.error.code).toBe('forbidden')
    expect(await users()).toBe(before)
  })

  test('refuses a user’s password sign-in with 403 (the same user signs in through the demo app)', async () => {
    const result = await post('/v1/auth/sign-in', { email: DEMO.user.email, password: DEMO.user.password })
    expect(result.status).toBe(403)
    expect(result.body.error.code).toBe('forbidden')
    expect(result.body.accessToken).toBeUndefined()
    const demo = await api(server.url, 'POST', '/v1/auth/sign-in', {
      app: DEMO.appId,
      body: { email: DEMO.user.email, password: DEMO.user.password },
    })
    expect(demo.status).toBe(200)
  })

  test('lets builders sign in with their password', async () => {
    const result = await post('/v1/auth/sign-in', {
      email: DEMO.builder.email,
      password: DEMO.builder.password,
    })
    expect(result.status).toBe(200)
    expect(result.body.user.role).toBe('builder')
  })

  test('identifies users by a token signed with the secret `apps create` printed', async () => {
    const token = await signIdentityToken({ sub: 'acme-user-1', name: 'Ana' }, { secret: created.secret })
    const result = await post('/v1/auth/identify', { token })
    expect(result.status).toBe(200)
    expect(result.body.user).toMatchObject({ name: 'Ana', role: 'user' })
    const me = await api(server.url, 'GET', '/v1/me', { token: result.body.accessToken, headers: as.headers })
    expect(me.status).toBe(200)
    // A token signed with another app's secret is refused.
    const demoSigned = await signIdentityToken({ sub: 'acme-user-1' })
    expect((await post('/v1/auth/identify', { token: demoSigned })).status).toBe(401)
  })
})
