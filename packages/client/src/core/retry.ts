/** No wait between two attempts is longer, whoever retries (HTTP, the outbox, realtime). */
export const MAX_RETRY_MS = 15_000

/** A random quarter taken off or added, so clients that failed together (a server restart) spread out. */
export const jitter = (ms: number, random = Math.random): number => Math.round(ms * (0.75 + random() * 0.5))

/**
 * The client's one retry policy for the socket and the outbox: the wait before retry `attempt` (0 for
 * the first) doubles from `first` up to MAX_RETRY_MS, with `jitter`. (HTTP retries a request only three
 * times, after short steps of its own, with the same jitter.)
 */
export const retryDelay = (attempt: number, first: number, random?: () => number): number =>
  jitter(Math.min(first * 2 ** attempt, MAX_RETRY_MS), random)

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
