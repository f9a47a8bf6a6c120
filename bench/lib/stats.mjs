// Small statistics helpers shared by the benchmarks: every figure is a median of several runs with
// its spread (min–max), and percentiles are nearest-rank.

/** Nearest-rank percentile of an already sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * A figure: the median of the runs, their min and max, how many, and the unit.
 * @param {number[]} values one value per run
 * @param {string} unit e.g. 'ms', 'kB', 'msg/s'
 */
export function figure(values, unit) {
  const clean = values.filter((v) => Number.isFinite(v))
  return {
    median: clean.length ? median(clean) : Number.NaN,
    min: Math.min(...clean),
    max: Math.max(...clean),
    n: clean.length,
    unit,
    runs: clean,
  }
}

/** One `figure` per key of `units`: that field of every run, divided by `scale` (e.g. bytes → kB). */
export function figures(runs, units, scale = 1) {
  return Object.fromEntries(
    Object.entries(units).map(([key, unit]) => [
      key,
      figure(
        runs.map((r) => r[key] / scale),
        unit,
      ),
    ]),
  )
}

/** A figure that does not vary between runs (a byte count). */
export function exact(value, unit) {
  return { median: value, min: value, max: value, n: 1, unit, runs: [value], exact: true }
}

/** The ratio of two figures' medians (a / b). */
export const ratio = (a, b) => a.median / b.median

export function sum(values) {
  let total = 0
  for (const v of values) total += v
  return total
}

/** Formats a number with a sensible precision for its size. */
export function fmt(value, digits) {
  if (!Number.isFinite(value)) return '–'
  if (digits !== undefined) return value.toFixed(digits)
  const abs = Math.abs(value)
  if (abs >= 100) return Math.round(value).toLocaleString('en-US')
  if (abs >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** `12.3 ms (11.9–13.0)` */
export function describe(fig) {
  const unit = fig.unit ? ` ${fig.unit}` : ''
  if (fig.exact || fig.n <= 1 || fig.min === fig.max) return `${fmt(fig.median)}${unit}`
  return `${fmt(fig.median)}${unit} (${fmt(fig.min)}–${fmt(fig.max)})`
}
