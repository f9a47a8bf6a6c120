import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  api,
  createTestDatabase,
  createUser,
  DEMO,
  signIn,
  startTestServer,
  testDialect,
} from '@suportra/server/testing'
import { afterAll, describe, expect, test } from 'vitest'
import { copyDatabase } from '../src/db/copy.js'

// From one SQLite file to PostgreSQL: `suportra-server db copy` moves every row, and the server
// on PostgreSQL answers exactly as the one on the file did.

describe.skipIf(testDialect() !== 'postgres')('db copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-copy-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a SQLite install copied into PostgreSQL reads back the same, and goes on', async () => {
    const file = join(dir, 'old.db')
    const old = await startTestServer({ db: file })
    const ada = await signIn(old.url, DEMO.user.email)
    const grace = await signIn(old.url, DEMO.builder.email)
    const other = await createUser(old, { credits: 2 })
    const id: string = (
      await api(old.url, 'POST', '/v1/sessions', {
        token: ada.accessToken,
        body: { tool: 'cursor', topic: 'Moving house', context: { error: 'naïve ✓ 😀' } },
      })
    ).body.session.id
    await api(old.url, 'POST', `/v1/builder/sessions/${id}/claim`, { token: grace.accessToken })
    for (let i = 0; i < 5; i++) {
      await api(old.url, 'POST', `/v1/sessions/${id}/messages`, {
        token: i % 2 ? ada.accessToken : grace.accessToken,
        body: { id: `copy-${String(i).padStart(4, '0')}`, text: `m${i}` },
      })
    }
    const read = async (url: string) => ({
      session: (await api(url, 'GET', `/v1/sessions/${id}`, { token: ada.accessToken })).body.session,
      messages: (await api(url, 'GET', `/v1/sessions/${id}/messages`, { token: ada.accessToken })).body,
      ledger: (await api(url, 'GET', '/v1/credits/transactions', { token: ada.accessToken })).body,
      other: (await api(url, 'GET', '/v1/credits', { token: other.accessToken })).body,
    })
    const before = await read(old.url)
    const filesDir = old.current.context.filesDir
    await old.current.close() // the file stays: close() of the handle would delete it

    const database = await createTestDatabase()
    try {
      const counts = await copyDatabase(file, database.url)
      expect(counts).toMatchObject({ users: 3, sessions: 1, messages: 7 })
      // Into a database that already has rows: refused, nothing half-copied.
      await expect(copyDatabase(file, database.url)).rejects.toThrow(/not empty/)

      const moved = await startTestServer({ db: database.url, dataDir: filesDir })
      try {
        // Same tokens (the signing secret moved with the data), same answers.
        expect(await read(moved.url)).toEqual(before)
        const next = await api(moved.url, 'POST', `/v1/sessions/${id}/messages`, {
          token: ada.accessToken,
          body: { id: 'after-the-move', text: 'still here' },
        })
        expect(next.body.message.seq).toBe(before.session.lastSeq + 1)
        expect(moved.current.context.store.dialect).toBe('postgres')
      } finally {
        await moved.current.close()
      }
    } finally {
      await database.drop()
    }
  })
})
