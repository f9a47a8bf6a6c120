import { atom, onStart, onStop } from 'nanostores'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { derive, isWatched, liveStore } from './live-store.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const flush = () => vi.advanceTimersByTimeAsync(0)

function live() {
  const $store = atom(0)
  const released = vi.fn()
  const retain = vi.fn(() => released)
  const load = vi.fn(async () => {})
  liveStore($store, { load, retain })
  return { $store, retain, released, load }
}

describe('liveStore', () => {
  test('loads once and holds what retain gives while watched, and lets it go a second after the last listener', async () => {
    const t = live()
    expect(isWatched(t.$store)).toBe(false)
    const off = t.$store.listen(() => {})
    const second = t.$store.listen(() => {})
    expect(isWatched(t.$store)).toBe(true)
    await flush()
    expect(t.load).toHaveBeenCalledOnce()
    expect(t.retain).toHaveBeenCalledOnce()
    off()
    second()
    expect(isWatched(t.$store)).toBe(false)
    await vi.advanceTimersByTimeAsync(999)
    expect(t.released).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(t.released).toHaveBeenCalledOnce()
  })

  test('a listener back within that second keeps it held, with no second load', async () => {
    const t = live()
    t.$store.listen(() => {})()
    const off = t.$store.listen(() => {})
    await flush()
    off()
    await vi.advanceTimersByTimeAsync(500)
    const again = t.$store.listen(() => {})
    await vi.advanceTimersByTimeAsync(5_000)
    expect(t.released).not.toHaveBeenCalled()
    expect(t.retain).toHaveBeenCalledOnce()
    expect(t.load).toHaveBeenCalledOnce()
    again()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(t.released).toHaveBeenCalledOnce()
  })

  test('a get() while unwatched loads nothing and holds nothing, and a listener right after still loads', async () => {
    const t = live()
    expect(t.$store.get()).toBe(0)
    await flush()
    expect(t.load).not.toHaveBeenCalled()
    expect(t.retain).not.toHaveBeenCalled()
    t.$store.listen(() => {})
    await flush()
    expect(t.load).toHaveBeenCalledOnce()
  })

  test('loads again when watched again after it was let go; a failed load is not thrown anywhere', async () => {
    const t = live()
    t.load.mockRejectedValueOnce(new Error('down'))
    const off = t.$store.listen(() => {})
    await flush()
    off()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(t.released).toHaveBeenCalledOnce()
    t.$store.listen(() => {})
    await flush()
    expect(t.load).toHaveBeenCalledTimes(2)
    expect(t.retain).toHaveBeenCalledTimes(2)
  })
})

describe('derive', () => {
  test('follows both stores while listened to, and is fresh when read without a listener', () => {
    const a = atom(1)
    const b = atom('x')
    const $both = derive(a, b, (n, s) => `${s}${n}`)
    expect($both.get()).toBe('x1')
    a.set(2)
    expect($both.get()).toBe('x2')
    const seen: string[] = []
    const off = $both.subscribe((value) => seen.push(value))
    expect(isWatched($both)).toBe(true)
    b.set('y')
    a.set(3)
    off()
    expect(seen).toEqual(['x2', 'y2', 'y3'])
  })

  test('stops listening to its stores once nobody listens (after nanostores’ unmount delay)', () => {
    const a = atom(1)
    const b = atom(1)
    const followed = vi.fn()
    const left = vi.fn()
    for (const store of [a, b]) {
      onStart(store, followed)
      onStop(store, left)
    }
    const compute = vi.fn((x: number, y: number) => x + y)
    const $sum = derive(a, b, compute)
    followed.mockClear()
    left.mockClear()
    const off = $sum.listen(() => {})
    expect(followed).toHaveBeenCalledTimes(2)
    off()
    vi.advanceTimersByTime(999)
    expect(left).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(left).toHaveBeenCalledTimes(2)
    compute.mockClear()
    a.set(5)
    expect(compute).not.toHaveBeenCalled()
    expect($sum.get()).toBe(6)
  })

  test('keeps the same value (no notification) when the computation returns what it held', () => {
    const a = atom([1])
    const b = atom(0)
    const $list = derive(a, b, (list) => list)
    const listener = vi.fn()
    const off = $list.listen(listener)
    b.set(1)
    expect(listener).not.toHaveBeenCalled()
    a.set([2])
    expect(listener).toHaveBeenCalledTimes(1)
    off()
  })
})

describe('a store both derived and live', () => {
  test('its first listener starts both: it follows its sources and loads, and both stop after the last', async () => {
    const a = atom(1)
    const b = atom(2)
    const $sum = derive(a, b, (x, y) => x + y)
    const released = vi.fn()
    const retain = vi.fn(() => released)
    const load = vi.fn(async () => {})
    liveStore($sum, { load, retain })
    const seen: number[] = []
    const off = $sum.listen((value) => seen.push(value))
    await flush()
    expect(isWatched($sum)).toBe(true)
    expect(load).toHaveBeenCalledOnce()
    expect(retain).toHaveBeenCalledOnce()
    a.set(10)
    expect(seen).toEqual([12])
    off()
    expect(isWatched($sum)).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(released).toHaveBeenCalledOnce()
    a.set(20)
    expect(seen).toEqual([12])
  })
})
