import { expect, test } from 'vitest'
import { BusinessHours, isOpen, nextOpen, parseHours } from './hours.js'

const berlin = {
  timeZone: 'Europe/Berlin',
  weekly: { mon: ['09:00-17:00'], fri: ['09:00-12:00', '13:00-24:00'] },
}

test('open and closed in the zone’s own clock', () => {
  // Monday 2026-12-07 08:30 UTC is 09:30 in Berlin (winter, UTC+1).
  expect(isOpen(berlin, Date.UTC(2026, 11, 7, 8, 30))).toBe(true)
  expect(isOpen(berlin, Date.UTC(2026, 11, 7, 7, 59))).toBe(false)
  expect(isOpen(berlin, Date.UTC(2026, 11, 7, 16, 0))).toBe(false) // 17:00, the range's end
  expect(isOpen(berlin, Date.UTC(2026, 11, 11, 22, 59))).toBe(true) // Friday 23:59, up to 24:00
})

test('nextOpen: the next opening to the minute, across days and a daylight-saving change', () => {
  // Monday 17:00 Berlin → Friday 09:00 Berlin.
  expect(nextOpen(berlin, Date.UTC(2026, 11, 7, 16, 0))).toBe(Date.UTC(2026, 11, 11, 8, 0))
  // Friday lunch: 13:00 the same day.
  expect(nextOpen(berlin, Date.UTC(2026, 11, 11, 11, 5))).toBe(Date.UTC(2026, 11, 11, 12, 0))
  // Summer time starts on Sunday 2027-03-28: Monday 09:00 is 07:00 UTC.
  expect(nextOpen(berlin, Date.UTC(2027, 2, 27, 12, 0))).toBe(Date.UTC(2027, 2, 29, 7, 0))
  expect(nextOpen({ timeZone: 'UTC', weekly: {} }, Date.now())).toBeUndefined()
})

test('bad hours are refused with a readable message; a broken stored value means always open', () => {
  for (const bad of [
    { timeZone: 'Mars/Olympus', weekly: {} },
    { timeZone: 'UTC', weekly: { mon: ['9-17'] } },
    { timeZone: 'UTC', weekly: { mon: ['17:00-09:00'] } },
    { timeZone: 'UTC', weekly: { mon: ['25:00-26:00'] } },
    { timeZone: 'UTC', weekly: { funday: ['09:00-10:00'] } },
    { timeZone: 'UTC', weekly: {}, extra: 1 },
  ])
    expect(BusinessHours.safeParse(bad).success).toBe(false)
  expect(parseHours('{not json')).toBeNull()
  expect(parseHours(JSON.stringify(berlin))).toEqual(berlin)
})
