/** No wait between two attempts is longer, whoever retries (HTTP, the outbox, realtime). */
export const MAX_RETRY_MS = 15_000

/**
 * The client's one retry policy: how long to wait before retry `attempt` (0 for the first). The step
 * doubles from `first` up to MAX_RETRY_MS, and the wait is a random point in its upper half ("equal
 * jitter"): clients that failed together (a server restart) spread out instead of retrying in step,
 * and no wait is shorter than half its step, so a slow step (rate limited) stays slow.
 */
export const retryDelay = (attempt: number, first: number, random = Math.random): number => {
  const step = Math.min(first * 2 ** attempt, MAX_RETRY_MS)
  return Math.round((step * (1 + random())) / 2)
}

/** Resolves after `ms`, or sooner when one of `wakers` (the wake function it adds there) is called. */
export const sleep = (ms: number, wakers?: Set<() => void>) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer)
      wakers?.delete(wake)
      resolve()
    }
    const timer = setTimeout(wake, ms)
    wakers?.add(wake)
  })
