import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SessionHandle, SuportraError } from '@suportra/client'
import {
  allMessages,
  createTestDatabase,
  type ServerProcess,
  signIn,
  spawnServer,
  startProxy,
  testDialect,
} from '@suportra/server/testing'
import { afterEach, describe, expect, test } from 'vitest'
import { DEMO, eventually, signedIn, watch } from './helpers.js'

// A rolling restart (issue 23): two server processes on one PostgreSQL database behind a
// round-robin TCP proxy; one gets SIGTERM in the middle of a conversation. Its sockets close with
// 1012, the clients reconnect to the other instance and resume: nothing lost, nothing doubled, and
// no error reaches the application (client.on('error')) or the connection status.

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ids = (handle: SessionHandle) => handle.$messages.get().map((m) => `${m.seq}:${m.id}:${m.status}`)
const EACH = 30

describe.skipIf(testDialect() !== 'postgres')('SIGTERM on one of two instances', () => {
  test('the clients resume on the other instance with nothing lost or doubled and no error shown', async () => {
    const database = await createTestDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'suportra-sigterm-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), database.drop)
    const args = ['--data-dir', join(dir, 'files')]
    const instances: ServerProcess[] = [
      await spawnServer(database.url, { args }),
      await spawnServer(database.url, { args }),
    ]
    cleanup.push(() => Promise.all(instances.map((instance) => instance.stop())))
    const ports = instances.map((instance) => instance.port)
    const proxy = await startProxy(ports)
    cleanup.push(() => proxy.close())

    const user = await signedIn(proxy.url, 'user')
    const builder = await signedIn(proxy.url, 'builder')
    cleanup.push(() => {
      user.destroy()
      builder.destroy()
    })
    const errors: SuportraError[] = []
    const statuses: string[] = []
    for (const client of [user, builder]) {
      client.on('error', (error) => errors.push(error))
      client.$connection.listen((status) => statuses.push(status))
    }
    const mine = await user.sessions.start({ tool: 'cursor', topic: 'Rolling restart' })
    const theirs = await builder.builder.claim(mine.id)
    cleanup.push(watch(mine.$messages, theirs.$messages))
    await eventually(() => user.$connection.get() === 'open' && builder.$connection.get() === 'open')
    // Each instance holds connections of the conversation.
    expect(ports.every((port) => (proxy.served.get(port) ?? 0) > 0)).toBe(true)

    const sent: Promise<unknown>[] = []
    const chatting = (async () => {
      for (let i = 0; i < EACH; i++) {
        sent.push(mine.send(`u${i}`), theirs.send(`b${i}`))
        await pause(40)
      }
    })()
    await pause(400)
    const stopped = instances[0] as ServerProcess
    const exit = new Promise<number | null>((resolve) => stopped.child.once('exit', (code) => resolve(code)))
    await stopped.stop() // SIGTERM, and wait for the process to end
    expect(await exit).toBe(0)
    ports.splice(0, 1) // a load balancer takes it out of rotation
    await chatting
    await Promise.all(sent)

    const ada = await signIn(proxy.url, DEMO.user.email)
    const stored = (await allMessages(proxy.url, ada.accessToken, mine.id)).map(
      (m) => `${m.seq}:${m.id}:sent`,
    )
    expect(stored).toHaveLength(2 + 2 * EACH) // "started", "claimed" and every message, each once
    expect(stored.map((s) => Number(s.split(':')[0]))).toEqual(stored.map((_, i) => i + 1))
    await eventually(() => {
      expect(ids(mine)).toEqual(stored)
      expect(ids(theirs)).toEqual(stored)
    }, 15_000)
    expect(errors).toEqual([])
    expect(statuses).not.toContain('offline')
    expect(user.$connection.get()).toBe('open')
    expect(builder.$connection.get()).toBe('open')
  }, 90_000)
})
