import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import {
  api,
  CLI_PATH,
  createUser,
  DEMO,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { notifyPolicyChange } from '../src/admin/notices.js'

// Operator commands (issue 23), run as the operator runs them: the built CLI on the server's database.

let server: TestServer
const dir = mkdtempSync(join(tmpdir(), 'suportra-admin-'))
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args, '--db', server.db],
      { env: { ...process.env, SUPORTRA_SCRYPT_N: '4096', SUPORTRA_LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

async function activeSession() {
  const user = await createUser(server, { credits: 1 })
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Deactivation' },
  })
  const id = started.body.session.id as string
  return { user, id }
}

describe('builders', () => {
  test('a deactivated builder’s active session goes back to the queue with a system message; another builder claims it without a second charge', async () => {
    const added = await cli(
      'builders',
      'add',
      '--email',
      'linus@example.com',
      '--name',
      'Linus',
      '--password',
      'builder-pass-1',
    )
    expect(added.code).toBe(0)
    const { user, id } = await activeSession()
    const grace = await signIn(server.url, DEMO.builder.email)
    expect(
      (await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken }))
        .status,
    ).toBe(200)

    const listed = await cli('builders', 'list')
    expect(listed.stdout).toContain(DEMO.builder.email)
    const off = await cli('builders', 'deactivate', '--email', DEMO.builder.email)
    expect(off.code).toBe(0)
    expect(off.stdout).toContain(id)

    const session = await api(server.url, 'GET', `/v1/sessions/${id}`, { token: user.accessToken })
    expect(session.body.session.status).toBe('waiting')
    expect(session.body.session.builder).toBeNull()
    const messages = await api(server.url, 'GET', `/v1/sessions/${id}/messages`, { token: user.accessToken })
    expect(
      messages.body.messages.map((m: { author: string; body: string }) => `${m.author}:${m.body}`),
    ).toEqual(['system:started', 'system:claimed', 'system:requeued'])
    // The deactivated builder can no longer sign in; their refresh token is revoked.
    expect(
      (
        await api(server.url, 'POST', '/v1/auth/sign-in', {
          app: DEMO.appId,
          body: { email: DEMO.builder.email, password: DEMO.builder.password },
        })
      ).status,
    ).toBe(401)
    expect(
      (await api(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: grace.refreshToken } }))
        .status,
    ).toBe(401)

    const linus = await signIn(server.url, 'linus@example.com', 'builder-pass-1')
    expect(
      (await api(server.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: linus.accessToken }))
        .status,
    ).toBe(200)
    const ledger = await server.current.context.store.db
      .selectFrom('ledger')
      .select(['kind', 'amount'])
      .where('reference', '=', id)
      .execute()
    expect(ledger.map((r) => r.kind).sort()).toEqual(['capture', 'hold'])
    expect((await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance).toBe(0)

    expect(
      (await cli('builders', 'set-tools', '--email', 'linus@example.com', '--tools', 'v0,bolt')).code,
    ).toBe(0)
    expect((await cli('builders', 'list')).stdout).toMatch(/linus@example\.com\tLinus\tv0,bolt/)
    expect((await cli('builders', 'set-tools', '--email', 'linus@example.com', '--tools', 'nope')).code).toBe(
      1,
    )
  })
})

describe('staff transcript access', () => {
  test('refused without a support or safety reason (exit 2, nothing recorded); with one it prints the transcript and the user sees the access in their export', async () => {
    const { user, id } = await activeSession()
    for (const reason of [[], ['--reason', ''], ['--reason', 'curious'], ['--reason', 'support:']]) {
      const refused = await cli('transcripts', 'show', id, ...reason)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/--reason is required/)
      expect(refused.stdout).not.toContain('Deactivation')
    }
    const before = await api(server.url, 'GET', '/v1/account/export', { token: user.accessToken })
    expect(before.body.staffAccess).toEqual([])

    const shown = await cli(
      'transcripts',
      'show',
      id,
      '--reason',
      'support: ticket 4521, user asked',
      '--staff',
      'marta@ops',
    )
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('#1')
    expect(shown.stdout).toContain('system (event): started')
    const asOsUser = await cli('transcripts', 'show', id, '--reason', 'safety: abuse report 77')
    expect(asOsUser.code).toBe(0)

    const after = await api(server.url, 'GET', '/v1/account/export', { token: user.accessToken })
    expect(after.status).toBe(200)
    expect(after.body.staffAccess).toEqual([
      {
        sessionId: id,
        staff: 'marta@ops',
        reason: 'support: ticket 4521, user asked',
        at: expect.any(Number),
      },
      {
        sessionId: id,
        staff: userInfo().username,
        reason: 'safety: abuse report 77',
        at: expect.any(Number),
      },
    ])
    expect((await cli('transcripts', 'show', 'ses_nope', '--reason', 'support: x y z')).code).toBe(1)
  })
})

describe('apps and users', () => {
  test('origins are replaced; a rotated identity secret leaves the old one valid until the window ends', async () => {
    const created = await cli('apps', 'create', '--name', 'Rotate', '--origin', 'https://a.example.com')
    const appId = /app id:\s+(\S+)/.exec(created.stdout)?.[1] as string
    const oldSecret = /identity secret:\s+(\S+)/.exec(created.stdout)?.[1] as string
    expect((await cli('apps', 'origins', '--app', appId, '--origin', 'https://b.example.com')).code).toBe(0)
    expect((await cli('apps', 'list')).stdout).toContain(`${appId}\tRotate\thttps://b.example.com`)
    expect((await cli('apps', 'origins', '--app', appId, '--origin', 'not an origin')).code).toBe(1)

    const rotated = await cli('apps', 'rotate-secret', '--app', appId, '--overlap-hours', '1')
    expect(rotated.code).toBe(0)
    const newSecret = /New identity secret: (\S+)/.exec(rotated.stdout)?.[1] as string
    const { signIdentityToken } = await import('@suportra/server/testing')
    const identify = async (secret: string) =>
      (
        await api(server.url, 'POST', '/v1/auth/identify', {
          app: appId,
          headers: { origin: 'https://b.example.com' },
          body: { token: await signIdentityToken({ sub: 'vendor-7' }, { secret }) },
        })
      ).status
    await new Promise((resolve) => setTimeout(resolve, 5_100)) // the apps cache
    expect(await identify(newSecret)).toBe(200)
    expect(await identify(oldSecret)).toBe(200)
    // The window ends: the old secret is refused.
    await server.current.context.store.db
      .updateTable('apps')
      .set({ previous_secret_expires_at: Date.now() - 1 })
      .where('id', '=', appId)
      .execute()
    await new Promise((resolve) => setTimeout(resolve, 5_100))
    expect(await identify(oldSecret)).toBe(401)
    expect(await identify(newSecret)).toBe(200)

    const found = await cli('users', 'show', DEMO.user.email)
    expect(found.code).toBe(0)
    expect(JSON.parse(found.stdout.trim().split('\n')[0] as string)).toMatchObject({
      email: DEMO.user.email,
      role: 'user',
    })
    expect((await cli('users', 'show', `${appId}:vendor-7`)).stdout).toContain('"external_id":"vendor-7"')
  }, 40_000)
})

describe('users grant', () => {
  test('credits a user with the reason they see; without a reason or a valid amount it refuses and nothing changes', async () => {
    const user = await createUser(server)
    const balance = async () =>
      (await api(server.url, 'GET', '/v1/credits', { token: user.accessToken })).body.balance as number

    const noReason = await cli('users', 'grant', String(user.user.email), '--amount', '3')
    expect(noReason.code).toBe(2)
    expect(noReason.stderr).toContain('--reason')
    for (const amount of ['--amount=-3', '--amount=0', '--amount=1.5', '--amount=lots']) {
      const bad = await cli('users', 'grant', String(user.user.email), amount, '--reason', 'x')
      expect(bad.code).toBe(2)
    }
    const nobody = await cli('users', 'grant', 'nobody@example.com', '--amount', '3', '--reason', 'x')
    expect(nobody.code).toBe(2)
    expect(await balance()).toBe(0)

    const granted = await cli(
      'users',
      'grant',
      String(user.user.email),
      '--amount',
      '3',
      '--reason',
      'Refund: the session of 8 December went wrong',
    )
    expect(granted.code).toBe(0)
    expect(granted.stdout).toContain('balance now 3')
    expect(await balance()).toBe(3)
    const { transactions } = (
      await api(server.url, 'GET', '/v1/credits/transactions', { token: user.accessToken })
    ).body as { transactions: { kind: string; amount: number; reference: string }[] }
    expect(transactions).toContainEqual(
      expect.objectContaining({
        kind: 'grant',
        amount: 3,
        reference: 'Refund: the session of 8 December went wrong',
      }),
    )
  })
})

describe('policy-change notice', () => {
  test('interrupted and resumed, every registered user gets it exactly once; the CLI reads the body from a file', async () => {
    for (let i = 0; i < 5; i++) await createUser(server)
    const ctx = server.current.context
    const notice = {
      subject: 'Our privacy policy changes on 1 January',
      body: 'Dear user,\n\nWe changed section 4.',
    }
    let crashes = 0
    await expect(
      notifyPolicyChange(ctx, {
        ...notice,
        onProgress: (n) => {
          if (n === 3) {
            crashes++
            throw new Error('killed')
          }
        },
      }),
    ).rejects.toThrow('killed')
    expect(crashes).toBe(1)
    // Two resumptions at once (an operator ran it twice), then once more.
    const [a, b] = await Promise.all([notifyPolicyChange(ctx, notice), notifyPolicyChange(ctx, notice)])
    const again = await notifyPolicyChange(ctx, notice)
    const registered = await ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('email', 'is not', null)
      .execute()
    expect(3 + a.queued + b.queued).toBe(registered.length)
    expect(again.queued).toBe(0)
    const emails = await ctx.store.db
      .selectFrom('emails')
      .select(['user_id', 'subject', 'html'])
      .where('kind', '=', 'policy_notice')
      .execute()
    expect(emails.map((e) => e.user_id).sort()).toEqual(registered.map((u) => u.id).sort())
    expect(emails[0]?.html).toContain('We changed section 4.')

    const file = join(dir, 'notice.txt')
    writeFileSync(file, notice.body)
    const viaCli = await cli('notify-policy-change', '--subject', notice.subject, '--body-file', file)
    expect(viaCli.code).toBe(0)
    expect(viaCli.stdout).toContain(`0 email(s) queued now, ${registered.length} in all`)
    expect((await cli('notify-policy-change', '--body-file', file)).code).toBe(2)
  })
})
