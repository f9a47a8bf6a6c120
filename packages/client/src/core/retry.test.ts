import { afterEach, expect, test, vi } from 'vitest'
import { jitter, MAX_RETRY_MS, retryDelay, sleep } from './retry.js'

afterEach(() => {
  vi.restoreAllMocks()
})

test('each wait is a step that doubles from the first, up to 15 s, give or take a quarter', () => {
  const steps = Array.from({ length: 9 }, (_, attempt) => [
    retryDelay(attempt, 250, () => 0),
    retryDelay(attempt, 250, () => 0.5),
    retryDelay(attempt, 250, () => 1),
  ])
  expect(steps).toEqual([
    [188, 250, 313],
    [375, 500, 625],
    [750, 1_000, 1_250],
    [1_500, 2_000, 2_500],
    [3_000, 4_000, 5_000],
    [6_000, 8_000, 10_000],
    [11_250, 15_000, 18_750],
    [11_250, 15_000, 18_750],
    [11_250, 15_000, 18_750],
  ])
  // Far past the end (a rate-limited connection asks for its slowest step this way): still capped.
  expect(retryDelay(99, 250, () => 0.5)).toBe(MAX_RETRY_MS)
  expect(retryDelay(5_000, 500, () => 0.5)).toBe(MAX_RETRY_MS)
})

test('is jittered by Math.random() by default: clients that failed together do not retry in step', () => {
  const waits = new Set(Array.from({ length: 200 }, () => retryDelay(3, 500)))
  expect(waits.size).toBeGreaterThan(100)
  for (const wait of waits) {
    expect(wait).toBeGreaterThanOrEqual(3_000)
    expect(wait).toBeLessThanOrEqual(5_000)
  }
  vi.spyOn(Math, 'random').mockReturnValue(0)
  expect(retryDelay(0, 1_000)).toBe(750)
  expect(jitter(300)).toBe(225)
})

test('sleep() ends after its time, or at once when woken, and leaves no timer or waker behind', async () => {
  vi.useFakeTimers()
  try {
    const wakers = new Set<() => void>()
    let done = false
    sleep(1_000, wakers).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(999)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)
    expect(wakers.size).toBe(0)

    done = false
    sleep(60_000, wakers).then(() => (done = true))
    for (const wake of wakers) wake()
    await vi.advanceTimersByTimeAsync(0)
    expect(done).toBe(true)
    expect(wakers.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  } finally {
    vi.useRealTimers()
  }
})
