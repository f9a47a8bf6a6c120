import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { api, DEMO, signIn, spawnServer, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

/** Everything a user can read back through the API, to compare before and after a restart. */
async function snapshot(url: string, token: string, sessionId: string) {
  const [me, balance, transactions, session, messages] = await Promise.all([
    api(url, 'GET', '/v1/me', { token }),
    api(url, 'GET', '/v1/credits', { token }),
    api(url, 'GET', '/v1/credits/transactions', { token }),
    api(url, 'GET', `/v1/sessions/${sessionId}`, { token }),
    api(url, 'GET', `/v1/sessions/${sessionId}/messages?limit=200`, { token }),
  ])
  const { queue: _queue, ...stable } = session.body.session
  return {
    me: me.body,
    balance: balance.body,
    transactions: transactions.body,
    session: stable,
    messages: messages.body,
  }
}

async function converse(url: string) {
  const ada = await signIn(url, DEMO.user.email)
  const grace = await signIn(url, DEMO.builder.email)
  const started = await api(url, 'POST', '/v1/sessions', {
    token: ada.accessToken,
    body: {
      tool: 'replit',
      topic: 'Database migrations fail',
      context: { url: 'https://example.com/app', error: 'E_MIGRATE' },
    },
  })
  const id: string = started.body.session.id
  await api(url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken })
  const file = await api(url, 'POST', `/v1/sessions/${id}/attachments?name=schema.sql`, {
    token: ada.accessToken,
    headers: { 'content-type': 'text/plain' },
    raw: 'create table users (id int);',
  })
  await api(url, 'POST', `/v1/sessions/${id}/messages`, {
    token: ada.accessToken,
    body: { id: 'restart-file-1', text: 'schema attached', attachmentIds: [file.body.attachment.id] },
  })
  for (let i = 0; i < 10; i++) {
    await api(url, 'POST', `/v1/sessions/${id}/messages`, {
      token: i % 2 ? ada.accessToken : grace.accessToken,
      body:
        i === 4
          ? { id: `restart-${i}`, code: { language: 'sql', content: 'select 1;' } }
          : { id: `restart-${i}`, text: `m${i}` },
    })
  }
  return { ada, grace, id, attachmentUrl: file.body.attachment.url as string }
}

describe('in-process restart on the same database file', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  test('sessions, messages, ledger, attachments and sign-ins survive', async () => {
    const { ada, grace, id, attachmentUrl } = await converse(server.url)
    const before = await snapshot(server.url, ada.accessToken, id)
    await server.restart()
    const after = await snapshot(server.url, ada.accessToken, id)
    expect(after).toEqual(before)

    // Access tokens stay valid (the signing secret is stored), refresh tokens still rotate.
    const refreshed = await api(server.url, 'POST', '/v1/auth/refresh', {
      body: { refreshToken: grace.refreshToken },
    })
    expect(refreshed.status).toBe(200)
    const download = await fetch(server.url + attachmentUrl, {
      headers: { authorization: `Bearer ${ada.accessToken}` },
    })
    expect(await download.text()).toBe('create table users (id int);')

    // The sequence continues without a gap.
    const next = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
      token: ada.accessToken,
      body: { id: 'after-restart', text: 'still there?' },
    })
    expect(next.body.message.seq).toBe(before.session.lastSeq + 1)
    // A retry of a message sent before the restart still answers with the original.
    const retry = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
      token: ada.accessToken,
      body: { id: 'restart-1', text: 'm1' },
    })
    expect(retry.status).toBe(200)
    expect(retry.body.message.seq).toBe(
      before.messages.messages.find((m: { clientId: string }) => m.clientId === 'restart-1').seq,
    )
  })
})

describe('process killed with SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-kill-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('every acknowledged write is there after the crash', async () => {
    const dbFile = join(dir, 'kill.db')
    const first = await spawnServer(dbFile)
    const { ada, id } = await converse(first.url)
    const before = await snapshot(first.url, ada.accessToken, id)
    await first.kill()

    const second = await spawnServer(dbFile, { port: Number(new URL(first.url).port) })
    try {
      expect(await snapshot(second.url, ada.accessToken, id)).toEqual(before)
    } finally {
      await second.stop()
    }
  })
})
