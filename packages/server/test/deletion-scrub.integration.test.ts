import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { api, createUser, startTestServer, type TestServer, testDialect } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// A deleted message's text must not stay readable in the SQLite database file or its WAL: the
// server runs SQLite with secure_delete (freed space is zeroed) and checkpoints and truncates the
// WAL after a transcript or an account is deleted. (PostgreSQL needs VACUUM for the same; see
// docs/security.md. These tests read SQLite's files and do not run there.)

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

/** Where in the database's files `text` appears (empty: nowhere). */
function foundIn(text: string): string[] {
  const needle = Buffer.from(text, 'utf8')
  return [server.dbFile, `${server.dbFile}-wal`].filter(
    (file) => existsSync(file) && readFileSync(file).includes(needle),
  )
}

async function conversation(token: string) {
  const secret = `secret-${randomBytes(12).toString('hex')}`
  const topic = `topic-${randomBytes(12).toString('hex')}`
  const started = await api(server.url, 'POST', '/v1/sessions', { token, body: { tool: 'cursor', topic } })
  expect(started.status).toBe(201)
  const id = started.body.session.id as string
  const sent = await api(server.url, 'POST', `/v1/sessions/${id}/messages`, {
    token,
    body: { id: `cid-scrub-${randomBytes(6).toString('hex')}`, text: `my API key is ${secret}` },
  })
  expect(sent.status).toBe(201)
  // The text is in the files now (the check below can see it).
  expect(foundIn(secret)).not.toEqual([])
  return { id, secret, topic }
}

describe.skipIf(testDialect() === 'postgres')('deleted text is gone from the SQLite files', () => {
  test('after a transcript is deleted, neither the message nor the topic is in the .db or -wal bytes', async () => {
    const user = await createUser(server, { credits: 1 })
    const { id, secret, topic } = await conversation(user.accessToken)
    expect(
      (await api(server.url, 'POST', `/v1/sessions/${id}/cancel`, { token: user.accessToken })).status,
    ).toBe(200)
    const deleted = await api(server.url, 'DELETE', `/v1/sessions/${id}/transcript`, {
      token: user.accessToken,
    })
    expect(deleted.status).toBe(200)
    expect(foundIn(secret)).toEqual([])
    expect(foundIn(topic)).toEqual([])
  })

  test('after an account is deleted, its messages are not in the .db or -wal bytes', async () => {
    const user = await createUser(server, { credits: 2 })
    const first = await conversation(user.accessToken)
    const deleted = await api(server.url, 'DELETE', '/v1/account', { token: user.accessToken })
    expect(deleted.status).toBe(200)
    expect(foundIn(first.secret)).toEqual([])
    expect(foundIn(first.topic)).toEqual([])
  })
})
