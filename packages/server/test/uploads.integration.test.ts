import { existsSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ApiResult, api, createUser, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sweepUploads } from '../src/messages/upload-sweep.js'

// Files uploaded to a session but never sent in a message: a quota per user, a sweep for what is
// left behind, and downloads whose file is gone from disk.

const PER_HOUR = 5
const BYTES_PER_HOUR = 1024 * 1024

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    uploads: {
      unattachedPerHour: PER_HOUR,
      unattachedBytesPerHour: BYTES_PER_HOUR,
      unattachedTtlMinutes: 60,
    },
    rateLimits: { send: { points: 100_000, duration: 60 } },
  })
})
afterAll(() => server.close())

const ctx = () => server.current.context
let counter = 0

async function session() {
  const user = await createUser(server, { credits: 1 })
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Uploads' },
  })
  expect(started.status).toBe(201)
  return { token: user.accessToken, userId: user.user.id, id: started.body.session.id as string }
}

function upload(s: { token: string; id: string }, bytes = 1000, name = `f-${++counter}.txt`) {
  return api(server.url, 'POST', `/v1/sessions/${s.id}/attachments?name=${name}`, {
    token: s.token,
    headers: { 'content-type': 'text/plain' },
    raw: new Uint8Array(bytes).fill(97),
  })
}

const send = (s: { token: string; id: string }, attachmentIds: string[]) =>
  api(server.url, 'POST', `/v1/sessions/${s.id}/messages`, {
    token: s.token,
    body: { id: `cid-upload-${++counter}-${Date.now()}`, text: 'here', attachmentIds },
  })

async function rowsOf(userId: string) {
  return ctx().store.db.selectFrom('attachments').selectAll().where('uploader_id', '=', userId).execute()
}

function expectQuota(result: ApiResult) {
  expect({
    status: result.status,
    code: result.body.error?.code,
    reason: result.body.error?.details?.reason,
  }).toEqual({ status: 429, code: 'rate_limited', reason: 'unattached_uploads' })
  const retryAfter = Number(result.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(3600)
}

describe('the quota of unsent uploads', () => {
  test('a flood of uploads never sent stops at the quota; what was refused is not stored', async () => {
    const s = await session()
    for (let i = 0; i < PER_HOUR; i++) expect((await upload(s)).status).toBe(201)
    const files = readdirSync(ctx().filesDir).length
    expectQuota(await upload(s))
    // 50 more at once: all refused, nothing written.
    const flood = await Promise.all(Array.from({ length: 50 }, () => upload(s)))
    for (const result of flood) expectQuota(result)
    expect(await rowsOf(s.userId)).toHaveLength(PER_HOUR)
    expect(readdirSync(ctx().filesDir).length).toBe(files)
  })

  test('concurrent uploads are counted one after the other: no more than the quota gets in', async () => {
    const s = await session()
    const results = await Promise.all(Array.from({ length: 30 }, () => upload(s)))
    expect(results.filter((r) => r.status === 201).length).toBe(PER_HOUR)
    for (const result of results.filter((r) => r.status !== 201)) expectQuota(result)
    expect(await rowsOf(s.userId)).toHaveLength(PER_HOUR)
  })

  test('bytes count too: unsent uploads over 1 MB in an hour are refused', async () => {
    const s = await session()
    expect((await upload(s, 600 * 1024)).status).toBe(201)
    expectQuota(await upload(s, 600 * 1024))
    expect((await upload(s, 300 * 1024)).status).toBe(201)
  })

  test('uploads sent in messages (normal use) do not count, and another user is not held up', async () => {
    const s = await session()
    for (let i = 0; i < PER_HOUR * 4; i++) {
      const file = await upload(s)
      expect(file.status).toBe(201)
      expect((await send(s, [file.body.attachment.id])).status).toBe(201)
    }
    for (let i = 0; i < PER_HOUR; i++) expect((await upload(s)).status).toBe(201)
    expectQuota(await upload(s))
    expect((await upload(await session())).status).toBe(201)
  })
})

describe('downloads of files gone from disk', () => {
  test('a missing file answers 410 with a code before any header of a file is sent', async () => {
    const s = await session()
    const file = await upload(s, 5000)
    expect((await send(s, [file.body.attachment.id])).status).toBe(201)
    rmSync(join(ctx().filesDir, file.body.attachment.id))
    const download = await api(server.url, 'GET', `/v1/attachments/${file.body.attachment.id}`, {
      token: s.token,
    })
    expect(download.status).toBe(410)
    expect(download.body.error.code).toBe('not_found')
    expect(download.headers.get('content-type')).toMatch(/^application\/json/)
  })

  test('a file cut short (a crash mid-write, a full disk) answers 410 too, not a body that breaks off', async () => {
    const s = await session()
    const file = await upload(s, 5000)
    truncateSync(join(ctx().filesDir, file.body.attachment.id), 100)
    const download = await api(server.url, 'GET', `/v1/attachments/${file.body.attachment.id}`, {
      token: s.token,
    })
    expect(download.status).toBe(410)
  })

  test('a file on disk downloads whole, with its length', async () => {
    const s = await session()
    const file = await upload(s, 5000)
    const response = await fetch(`${server.url}/v1/attachments/${file.body.attachment.id}`, {
      headers: { authorization: `Bearer ${s.token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('5000')
    expect((await response.arrayBuffer()).byteLength).toBe(5000)
  })
})

describe('the sweep of what is left behind', () => {
  test('uploads never sent go after the configured age (row and file); sent ones stay', async () => {
    const s = await session()
    const unsent = (await upload(s)).body.attachment.id as string
    const sent = (await upload(s)).body.attachment.id as string
    expect((await send(s, [sent])).status).toBe(201)
    const recent = (await upload(s)).body.attachment.id as string
    // Both older than the 60-minute age.
    await ctx()
      .store.db.updateTable('attachments')
      .set({ created_at: Date.now() - 61 * 60_000 })
      .where('id', 'in', [unsent, sent])
      .execute()
    const swept = await sweepUploads(ctx())
    expect(swept.expired).toBeGreaterThanOrEqual(1)
    const left = (await rowsOf(s.userId)).map((row) => row.id)
    expect(left).not.toContain(unsent)
    expect(left).toEqual(expect.arrayContaining([sent, recent]))
    expect(existsSync(join(ctx().filesDir, unsent))).toBe(false)
    expect(existsSync(join(ctx().filesDir, sent))).toBe(true)
  })

  test('files without a database row (a crash between a deletion and its file removal) are removed; recent ones are left', async () => {
    const orphan = join(ctx().filesDir, 'att_orphan_from_a_crash')
    const part = join(ctx().filesDir, 'att_orphan_half_written.part')
    const fresh = join(ctx().filesDir, 'att_just_now')
    for (const path of [orphan, part, fresh]) writeFileSync(path, 'secret text that nobody can delete')
    const old = new Date(Date.now() - 10 * 60_000)
    utimesSync(orphan, old, old)
    utimesSync(part, old, old)
    const s = await session()
    const kept = (await upload(s)).body.attachment.id as string
    utimesSync(join(ctx().filesDir, kept), old, old)
    const swept = await sweepUploads(ctx())
    expect(swept.orphans).toBe(2)
    expect(existsSync(orphan)).toBe(false)
    expect(existsSync(part)).toBe(false)
    expect(existsSync(fresh)).toBe(true)
    expect(existsSync(join(ctx().filesDir, kept))).toBe(true)
    rmSync(fresh)
  })

  test('the row comes before the file: a crash between them leaves a row whose download is 410 and which the sweep removes', async () => {
    const s = await session()
    const file = await upload(s)
    const id = file.body.attachment.id as string
    // What a crash after the row and before the file leaves.
    rmSync(join(ctx().filesDir, id))
    expect((await api(server.url, 'GET', `/v1/attachments/${id}`, { token: s.token })).status).toBe(410)
    await ctx()
      .store.db.updateTable('attachments')
      .set({ created_at: Date.now() - 61 * 60_000 })
      .where('id', '=', id)
      .execute()
    await sweepUploads(ctx())
    expect((await rowsOf(s.userId)).map((row) => row.id)).not.toContain(id)
  })
})
