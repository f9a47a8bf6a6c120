import * as z from 'zod'

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/

const range = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'a range is "HH:MM-HH:MM", e.g. "09:00-17:30"')
  .refine((value) => value.split('-').every((t) => TIME.test(t)), 'times run from 00:00 to 24:00')
  .refine((value) => {
    const [from, to] = value.split('-').map(minutes)
    return (from ?? 0) < (to ?? 0)
  }, 'a range must end after it starts (split ranges that cross midnight)')

/**
 * An app's business hours: an IANA time zone and, per weekday, the ranges open (local time).
 * A day left out is closed. Stored as JSON on the app row (`apps.business_hours`).
 */
export const BusinessHours = z.strictObject({
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. "Europe/Berlin"'),
  weekly: z.partialRecord(z.enum(DAYS), z.array(range).max(8)),
})
export type BusinessHours = z.infer<typeof BusinessHours>

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

function minutes(time: string): number {
  const [h, m] = time.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** The weekday and minute of the day at `at` in `timeZone`. */
function localTime(timeZone: string, at: number): { day: (typeof DAYS)[number]; minute: number } {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formats.set(timeZone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]))
  return {
    day: (parts.weekday ?? 'sun').toLowerCase().slice(0, 3) as (typeof DAYS)[number],
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  }
}

/** Whether the hours are open at `at` (epoch ms). */
export function isOpen(hours: BusinessHours, at: number): boolean {
  const { day, minute } = localTime(hours.timeZone, at)
  return (hours.weekly[day] ?? []).some((r) => {
    const [from, to] = r.split('-').map(minutes)
    return minute >= (from ?? 0) && minute < (to ?? 0)
  })
}

const STEP = 15 * 60_000
const MINUTE = 60_000

/**
 * When the hours open next after `at` (epoch ms, to the minute), within 8 days; undefined when
 * they never open. Walks in 15-minute steps in the zone's own clock (so daylight-saving changes
 * are right), then back minute by minute to the opening.
 */
export function nextOpen(hours: BusinessHours, at: number): number | undefined {
  const start = Math.floor(at / MINUTE) * MINUTE
  for (let t = start + STEP; t <= start + 8 * 24 * 60 * MINUTE; t += STEP) {
    if (!isOpen(hours, t)) continue
    let open = t
    while (open - MINUTE > at && isOpen(hours, open - MINUTE)) open -= MINUTE
    return open
  }
  return undefined
}

/** The stored JSON, or null (always open; also for a row that no longer parses). */
export function parseHours(json: string | null | undefined): BusinessHours | null {
  if (!json) return null
  try {
    const parsed = BusinessHours.safeParse(JSON.parse(json))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
