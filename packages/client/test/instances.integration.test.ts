import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SessionHandle } from '@suportra/client'
import {
  allMessages,
  api,
  createTestDatabase,
  openDatabase,
  type ServerProcess,
  signIn,
  spawnServer,
  startProxy,
  testDialect,
} from '@suportra/server/testing'
import { afterEach, describe, expect, test } from 'vitest'
import { DEMO, eventually, signedIn, watch } from './helpers.js'

// The crash scenario with several instances: two server processes on one PostgreSQL database
// behind a round-robin TCP proxy (no sticky sessions); one of them is killed with SIGKILL at
// random moments and restarted, while a user and a builder chat and credits move.

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ids = (handle: SessionHandle) => handle.$messages.get().map((m) => `${m.seq}:${m.id}:${m.status}`)

const KILLS = 4
/** Messages each side sends; under the send rate limit (120 a minute, shared) with room for retries. */
const EACH = 50

describe.skipIf(testDialect() !== 'postgres')('two instances behind a round-robin proxy', () => {
  test('one instance is killed (SIGKILL) at random moments and restarted: nothing lost, nothing doubled, no money error', async () => {
    const database = await createTestDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'suportra-instances-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), database.drop)
    // Attachments live in one folder both instances share (as a shared volume would be).
    const args = ['--data-dir', join(dir, 'files')]
    const instances: ServerProcess[] = []
    cleanup.push(() => Promise.all(instances.map((instance) => instance.stop())))
    instances.push(await spawnServer(database.url, { args }))
    instances.push(await spawnServer(database.url, { args }))
    const ports = instances.map((instance) => Number(new URL(instance.url).port))
    const proxy = await startProxy(ports)
    cleanup.push(() => proxy.close())
    const url = proxy.url

    // A user and a builder, each a real client (HTTP and realtime) through the proxy.
    const user = await signedIn(url, 'user')
    const builder = await signedIn(url, 'builder')
    cleanup.push(() => {
      user.destroy()
      builder.destroy()
    })
    const mine = await user.sessions.start({ tool: 'cursor', topic: 'Instances keep dying' })
    const theirs = await builder.builder.claim(mine.id)
    cleanup.push(watch(mine.$messages, theirs.$messages))
    // The same people over plain HTTP, to move credits while instances die.
    const ada = await signIn(url, DEMO.user.email)
    const grace = await signIn(url, DEMO.builder.email)

    let killing = true
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await pause(200 + Math.random() * 500)
        const i = Math.floor(Math.random() * instances.length)
        await instances[i]?.kill()
        await pause(50 + Math.random() * 400)
        instances[i] = await spawnServer(database.url, { port: ports[i] as number, args })
      }
      killing = false
    })()

    // Both sides keep writing while instances die; the outbox retries each message with its id.
    const sent: Promise<unknown>[] = []
    const chatting = (async () => {
      for (let i = 0; i < EACH; i++) {
        sent.push(mine.send(`u${i}`), theirs.send(`b${i}`))
        await pause(killing ? 120 : 10)
      }
    })()

    // Meanwhile credits move, each call retried when a connection dies under it.
    const call = async (method: string, path: string, token: string) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await api(url, method, path, { token })
          if (result.status < 500) return result
        } catch {
          // The connection was cut: the instance behind it died mid-request.
        }
        if (attempt >= 100) throw new Error(`${method} ${path} kept failing`)
        await pause(100)
      }
    }
    const money = (async () => {
      // One session a builder claims, one the user cancels, and a video upgrade of the chat.
      await pause(Math.random() * 2_000)
      const claimed = await startWith('instances-claimed-0001')
      const cancelled = await startWith('instances-cancelled-0001')
      const claim = await call('POST', `/v1/builder/sessions/${claimed}/claim`, grace.accessToken)
      if (claim.status === 409)
        expect(await statusOf(claimed)).toBe('active') // our retry after a cut
      else expect(claim.status).toBe(200)
      const cancel = await call('POST', `/v1/sessions/${cancelled}/cancel`, ada.accessToken)
      if (cancel.status === 409) expect(await statusOf(cancelled)).toBe('cancelled')
      else expect(cancel.status).toBe(200)
      expect((await call('POST', `/v1/sessions/${mine.id}/video`, ada.accessToken)).status).toBe(200)
      return { claimed, cancelled }
    })()
    async function startWith(key: string): Promise<string> {
      for (;;) {
        const result = await api(url, 'POST', '/v1/sessions', {
          token: ada.accessToken,
          headers: { 'idempotency-key': key },
          body: { tool: 'bolt', topic: key },
        }).catch(() => undefined)
        if (result && (result.status === 200 || result.status === 201)) return result.body.session.id
        if (result && result.status < 500)
          throw new Error(`start: ${result.status} ${JSON.stringify(result.body)}`)
        await pause(100)
      }
    }
    async function statusOf(id: string) {
      return (await call('GET', `/v1/sessions/${id}`, ada.accessToken)).body.session.status
    }

    const [, , sessions] = await Promise.all([killer, chatting, money])
    const acknowledged = (await Promise.all(sent)) as { id: string }[]
    expect(new Set(acknowledged.map((m) => m.id)).size).toBe(2 * EACH)
    // The proxy really spread connections over both instances.
    expect(ports.every((port) => (proxy.served.get(port) ?? 0) > 0)).toBe(true)

    // Transcripts: both clients, the API and the database hold the same messages, in seq order,
    // each once: started, claimed, video and every chat message.
    const stored = (await allMessages(url, ada.accessToken, mine.id)).map((m) => `${m.seq}:${m.id}:sent`)
    expect(stored).toHaveLength(3 + 2 * EACH)
    expect(stored.map((s) => Number(s.split(':')[0]))).toEqual(stored.map((_, i) => i + 1))
    await eventually(() => {
      expect(ids(mine)).toEqual(stored)
      expect(ids(theirs)).toEqual(stored)
    }, 30_000)
    const bodies = mine.$messages.get().map((m) => m.body)
    for (let i = 0; i < EACH; i++) {
      expect(bodies.filter((b) => b === `u${i}`)).toHaveLength(1)
      expect(bodies.filter((b) => b === `b${i}`)).toHaveLength(1)
    }

    const store = await openDatabase(database.url)
    cleanup.push(() => store.close())
    const rows = await store.db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('session_id', '=', mine.id)
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => `${r.seq}:${r.id}:sent`)).toEqual(stored)

    // Money: three sessions (no retry started a second one), one hold each, each hold settled
    // once, as its session ended; the balance is what the outcomes leave and never went negative.
    const userId = ada.user.id
    const owned = await store.db
      .selectFrom('sessions')
      .select(['id', 'status', 'kind'])
      .where('user_id', '=', userId)
      .execute()
    const statuses = Object.fromEntries(owned.map((s) => [s.id, s.status]))
    expect(statuses).toEqual({
      [mine.id]: 'active',
      [sessions.claimed]: 'active',
      [sessions.cancelled]: 'cancelled',
    })
    expect(owned.find((s) => s.id === mine.id)?.kind).toBe('video')
    const ledger = await store.db
      .selectFrom('ledger')
      .select(['kind', 'amount', 'reference'])
      .where('user_id', '=', userId)
      .execute()
    for (const { id, status } of owned) {
      const kinds = ledger.filter((row) => row.reference === id).map((row) => row.kind)
      expect(kinds.filter((kind) => kind === 'hold')).toHaveLength(1)
      expect(kinds.filter((kind) => kind === 'capture' || kind === 'release')).toEqual([
        status === 'cancelled' ? 'release' : 'capture',
      ])
    }
    expect(ledger.filter((row) => row.kind === 'video')).toHaveLength(1)
    const sum = ledger.reduce((total, row) => total + row.amount, 0)
    const expected = DEMO.user.credits - 2 /* two sessions a builder joined */ - 1 /* video */
    expect(sum).toBe(expected)
    expect((await call('GET', '/v1/credits', ada.accessToken)).body.balance).toBe(expected)
    expect(await user.credits.refresh()).toBe(expected)
  }, 120_000)
})
