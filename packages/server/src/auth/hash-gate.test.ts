import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { HashGate } from './hash-gate.js'

/** A hash that runs until `finish()` is called. */
function pending() {
  let finish = () => {}
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  return { fn: () => done, finish }
}

const refusal = { code: 'rate_limited', details: { retryAfter: 1 } }

describe('HashGate', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('a request waits for a slot, and gets it when a hash finishes within the wait', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 2, waitMs: 250 })
    const first = pending()
    const running = gate.run('a', first.fn)
    let ran = false
    const waiting = gate.run('b', async () => {
      ran = true
    })
    await vi.advanceTimersByTimeAsync(200)
    expect(ran).toBe(false)
    first.finish()
    await running
    await waiting
    expect(ran).toBe(true)
  })

  test('the wait is bounded: past waitMs the request is refused, and its address counts nothing', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 1, waitMs: 250 })
    const first = pending()
    const running = gate.run('a', first.fn)
    const waiting = gate.run('b', async () => 'ran')
    const refused = expect(waiting).rejects.toMatchObject(refusal)
    await vi.advanceTimersByTimeAsync(250)
    await refused
    // 'b' left the queue: with the slot free again, it is admitted at once.
    first.finish()
    await running
    await expect(gate.run('b', async () => 'ran')).resolves.toBe('ran')
  })

  test('first come, first served: a freed slot goes to the oldest waiter, not to a newcomer', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 4, waitMs: 1_000 })
    const order: string[] = []
    const first = pending()
    const running = gate.run('a', first.fn)
    const second = gate.run('b', async () => {
      order.push('b')
    })
    const third = gate.run('c', async () => {
      order.push('c')
    })
    first.finish()
    await running
    const late = gate.run('d', async () => {
      order.push('d')
    })
    await Promise.all([second, third, late])
    expect(order).toEqual(['b', 'c', 'd'])
  })

  test('one address cannot queue: its running and waiting hashes together are held to concurrentPerIp', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 2, waitMs: 1_000 })
    const first = pending()
    const running = gate.run('a', first.fn)
    const waiting = gate.run('a', async () => 'second')
    // A third from 'a' is refused at once, without waiting.
    await expect(gate.run('a', async () => 'third')).rejects.toMatchObject(refusal)
    first.finish()
    await running
    await expect(waiting).resolves.toBe('second')
  })

  test('an address holds its place from admit to the end of its check, before any hash', () => {
    const gate = new HashGate({ concurrent: 4, concurrentPerIp: 2, waitMs: 0 })
    const first = gate.admit('a')
    gate.admit('a')
    expect(() => gate.admit('a')).toThrow(expect.objectContaining(refusal))
    // Another address is not affected, and an ended check frees its place (ending twice frees one).
    gate.admit('b')
    first()
    first()
    const again = gate.admit('a')
    expect(() => gate.admit('a')).toThrow(expect.objectContaining(refusal))
    again()
  })

  test('at most 64 wait; the next is refused at once', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 1, waitMs: 1_000 })
    const first = pending()
    const running = gate.run('holder', first.fn)
    const waiters = Array.from({ length: 64 }, (_, i) => gate.run(`ip-${i}`, async () => i))
    await expect(gate.run('one-more', async () => 0)).rejects.toMatchObject(refusal)
    first.finish()
    await running
    expect(await Promise.all(waiters)).toHaveLength(64)
  })

  test('waitMs 0: refused at once when every slot is taken', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 1, waitMs: 0 })
    const first = pending()
    const running = gate.run('a', first.fn)
    await expect(gate.run('b', async () => 0)).rejects.toMatchObject(refusal)
    first.finish()
    await running
  })

  test('a hash that throws frees its slot', async () => {
    const gate = new HashGate({ concurrent: 1, concurrentPerIp: 1, waitMs: 0 })
    await expect(gate.run('a', () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow(
      'scrypt failed',
    )
    await expect(gate.run('a', async () => 'ok')).resolves.toBe('ok')
  })
})
