import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  api,
  createTestDatabase,
  createUser,
  DEMO,
  signIn,
  startTestServer,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { afterEach, describe, expect, test } from 'vitest'
import type { StartOptions } from '../src/server.js'
import { startS3rver } from './s3rver.js'

// Attachments without a shared disk (issue 23): two instances on one database, each with its own
// (empty) folder; a file uploaded through one downloads byte for byte through the other.

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** Two servers on one database, each with a folder of its own that must stay empty. */
async function twoInstances(options: StartOptions) {
  const folders = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'suportra-own-folder-')))
  cleanup.push(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
  })
  let db: string | undefined
  if (testDialect() === 'postgres') {
    const database = await createTestDatabase()
    cleanup.push(database.drop)
    db = database.url
  }
  const first = await startTestServer({ ...options, ...(db && { db }), dataDir: folders[0] })
  cleanup.push(() => first.close())
  const second = await startTestServer({ ...options, db: first.db, dataDir: folders[1] })
  cleanup.push(() => second.close())
  return { first, second, folders }
}

/** Every byte value, then random bytes: a download that changes one byte fails. */
function payload(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < 256; i++) bytes[i] = i
  crypto.getRandomValues(bytes.subarray(256, Math.min(size, 256 + 65_536)))
  for (let i = 256 + 65_536; i < size; i++) bytes[i] = (i * 31) & 0xff
  return bytes
}

async function roundTrip(first: TestServer, second: TestServer) {
  const user = await createUser(first, { credits: 1 })
  const start = await api(first.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Files on another instance' },
  })
  expect(start.status).toBe(201)
  const sessionId = start.body.session.id
  const bytes = payload(300_000)
  const upload = await api(first.url, 'POST', `/v1/sessions/${sessionId}/attachments?name=build.log`, {
    token: user.accessToken,
    headers: { 'content-type': 'application/octet-stream' },
    raw: Buffer.from(bytes),
  })
  expect(upload.status).toBe(201)
  const attachmentId = upload.body.attachment.id
  const sent = await api(first.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token: user.accessToken,
    body: { id: crypto.randomUUID(), text: 'the log', attachmentIds: [attachmentId] },
  })
  expect(sent.status).toBe(201)

  // Through the other instance: the user, then the builder once they joined.
  const download = async (token: string) => {
    const response = await fetch(`${second.url}/v1/attachments/${attachmentId}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) }
  }
  const mine = await download(user.accessToken)
  expect(mine.status).toBe(200)
  expect(Buffer.compare(Buffer.from(mine.bytes), Buffer.from(bytes))).toBe(0)
  // Authorization still applies: a builder who has not joined the session gets nothing.
  const grace = await signIn(second.url, DEMO.builder.email)
  expect((await download(grace.accessToken)).status).toBe(404)
  expect(
    (await api(second.url, 'POST', `/v1/builder/sessions/${sessionId}/claim`, { token: grace.accessToken }))
      .status,
  ).toBe(200)
  const theirs = await download(grace.accessToken)
  expect(theirs.status).toBe(200)
  expect(theirs.bytes.byteLength).toBe(bytes.byteLength)
  return { user, attachmentId, sessionId }
}

describe('database file store', () => {
  test('uploaded through one instance, downloaded byte for byte through the other, no folder used; gone with the account', async () => {
    const { first, second, folders } = await twoInstances({ files: { backend: 'database' } })
    const { user, attachmentId } = await roundTrip(first, second)
    for (const folder of folders) expect(readdirSync(folder)).toEqual([])
    const { db } = second.current.context.store
    expect(await db.selectFrom('files').select('id').where('id', '=', attachmentId).execute()).toHaveLength(1)
    // Deleting the account deletes the file's bytes too.
    const deleted = await api(second.url, 'DELETE', '/v1/account', { token: user.accessToken })
    expect(deleted.status).toBe(200)
    expect(await db.selectFrom('files').select('id').execute()).toEqual([])
  })
})

describe('S3 file store (against s3rver, an S3-compatible server; it does not verify V4 signatures, see s3-signing.test.ts)', () => {
  test('uploaded through one instance, downloaded through the other; no bucket URL handed out; gone with the account', async () => {
    const s3 = await startS3rver('suportra-files')
    cleanup.push(() => s3.close())
    const files = {
      backend: 's3' as const,
      bucket: 'suportra-files',
      endpoint: s3.url,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      prefix: 'attachments/',
    }
    const { first, second, folders } = await twoInstances({ files })
    const { user, attachmentId, sessionId } = await roundTrip(first, second)
    for (const folder of folders) expect(readdirSync(folder)).toEqual([])
    expect(await s3.keys()).toEqual([`attachments/${attachmentId}`])
    // The API names the file by the server's own download route, never by a bucket URL.
    const page = await api(second.url, 'GET', `/v1/sessions/${sessionId}/messages`, {
      token: user.accessToken,
    })
    const urls = page.body.messages.flatMap((m: { attachments: { url: string }[] }) =>
      m.attachments.map((a) => a.url),
    )
    expect(urls).toHaveLength(1)
    expect(urls[0]).toMatch(new RegExp(`^(${second.url})?/v1/attachments/${attachmentId}$`))
    expect(JSON.stringify(page.body)).not.toContain(s3.url)
    const deleted = await api(second.url, 'DELETE', '/v1/account', { token: user.accessToken })
    expect(deleted.status).toBe(200)
    expect(await s3.keys()).toEqual([])
  })
})
