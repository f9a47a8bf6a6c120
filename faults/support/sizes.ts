/**
 * How big each scenario runs. The default fits a few minutes on a loaded two-core machine (CI);
 * `SUPORTRA_FAULTS=large` runs the sizes of the issue. Any number can be overridden on its own,
 * e.g. `SUPORTRA_FAULTS_KILLS=20`.
 */
export const LARGE = process.env.SUPORTRA_FAULTS === 'large'

function size(name: string, normal: number, large: number): number {
  const override = Number(process.env[`SUPORTRA_FAULTS_${name}`])
  return Number.isFinite(override) && override > 0 ? override : LARGE ? large : normal
}

export const SIZES = {
  /** Server crashes: SIGKILLs (and restarts on the same database file). */
  kills: size('KILLS', 6, 100),
  /** Network faults injected by the proxy, and the messages exchanged meanwhile. */
  networkFaults: size('NETWORK_FAULTS', 60, 1_000),
  networkMessages: size('NETWORK_MESSAGES', 400, 5_000),
  /** Messages typed while offline in Chromium before the reload. */
  offlineMessages: size('OFFLINE_MESSAGES', 20, 20),
  /** Offline → reload → online rounds in Chromium. */
  offlineRounds: size('OFFLINE_ROUNDS', 1, 3),
  /**
   * Sleep rounds: each one a sleep within the resume window and one beyond it. Large runs use the
   * production heartbeat (25 s), so one round takes minutes.
   */
  sleepRounds: size('SLEEP_ROUNDS', 1, 1),
  /** Messages the other side sends while a client sleeps past the resume window. */
  sleepMessages: size('SLEEP_MESSAGES', 80, 1_200),
  /** The server's resume window in the sleep scenario (the production default is 1,000). */
  resumeWindow: size('RESUME_WINDOW', 50, 1_000),
  /** The server's heartbeat in the sleep scenario (the production default is 25 s). */
  heartbeatMs: size('HEARTBEAT_MS', 1_000, 25_000),
  /** Concurrent money operations (starts, cancels, claims, upgrades, purchases), each also replayed. */
  moneyOps: size('MONEY_OPS', 200, 1_000),
  /** Simultaneous refresh rounds: Node clients sharing one storage, and Chromium tabs. */
  refreshRounds: size('REFRESH_ROUNDS', 60, 1_000),
  /** Each tab round closes and reopens ten widgets (about 2.5 s): 1,000 would take 40 minutes alone. */
  tabRefreshRounds: size('TAB_REFRESH_ROUNDS', 15, 100),
  /** Leaks: messages through one client pair, and widget open/close cycles in Chromium. */
  leakMessages: size('LEAK_MESSAGES', 1_000, 10_000),
  widgetCycles: size('WIDGET_CYCLES', 100, 1_000),
  /** Hostile clients: malformed or abusive inputs thrown at one server (frames, handshakes, sockets, floods). */
  hostileInputs: size('HOSTILE_INPUTS', 10_000, 50_000),
  /** Flood rounds among them (each: one user's, one IP's and idle socket floods, ping and typing floods). */
  hostileFloodRounds: size('HOSTILE_FLOOD_ROUNDS', 1, 3),
}

/** Seeded randomness so a failing run can be replayed: `FAULTS_SEED=<n> pnpm test:faults`. */
export const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000)

export function seeded(seed: number = SEED) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  }
}
export type Random = ReturnType<typeof seeded>
