import { atom } from 'nanostores'
import { afterEach, expect, test, vi } from 'vitest'
import { derive } from './watch.js'

afterEach(() => {
  vi.useRealTimers()
})

test('follows both stores while listened to, and is fresh when read without a listener', () => {
  const a = atom(1)
  const b = atom('x')
  const $both = derive(a, b, (n, s) => `${s}${n}`)
  expect($both.get()).toBe('x1')
  a.set(2)
  expect($both.get()).toBe('x2')
  const seen: string[] = []
  const off = $both.subscribe((value) => seen.push(value))
  b.set('y')
  a.set(3)
  off()
  expect(seen).toEqual(['x2', 'y2', 'y3'])
})

test('stops listening to its stores once nobody listens (after nanostores’ unmount delay)', () => {
  vi.useFakeTimers()
  const a = atom(1)
  const b = atom(1)
  const compute = vi.fn((x: number, y: number) => x + y)
  const $sum = derive(a, b, compute)
  const off = $sum.listen(() => {})
  expect(a.lc).toBe(1)
  off()
  vi.advanceTimersByTime(1_000)
  expect(a.lc + b.lc).toBe(0)
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
