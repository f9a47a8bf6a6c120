import type { Context } from '../context.js'
import { BusinessHours } from './hours.js'

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

/**
 * `apps hours`: sets an app's business hours from a time zone and lines such as
 * `mon-fri 09:00-17:00` or `sat 10:00-13:00,14:00-16:00` (days left out are closed), or clears them
 * (`hours: []`, always open). Running servers follow within a presence refresh.
 */
export async function setBusinessHours(
  ctx: Context,
  input: { appId: string; timeZone: string | undefined; hours: string[] },
): Promise<BusinessHours | null> {
  if (!(await ctx.apps.get(input.appId))) throw new Error(`No app ${input.appId} (see apps list)`)
  let value: BusinessHours | null = null
  if (input.hours.length > 0) {
    if (!input.timeZone) throw new Error('Give --time-zone (an IANA zone, e.g. Europe/Berlin)')
    const weekly: Record<string, string[]> = {}
    for (const line of input.hours) {
      const match = /^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\S+)\s*$/i.exec(line)
      const from = DAYS.indexOf(match?.[1]?.toLowerCase() as (typeof DAYS)[number])
      const to = match?.[2] ? DAYS.indexOf(match[2].toLowerCase() as (typeof DAYS)[number]) : from
      if (!match || from < 0 || to < 0)
        throw new Error(`Not business hours: "${line}" (e.g. "mon-fri 09:00-17:00")`)
      for (let d = from; ; d = (d + 1) % 7) {
        weekly[DAYS[d] as string] = [...(weekly[DAYS[d] as string] ?? []), ...(match[3] ?? '').split(',')]
        if (d === to) break
      }
    }
    const parsed = BusinessHours.safeParse({ timeZone: input.timeZone, weekly })
    if (!parsed.success)
      throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
    value = parsed.data
  }
  await ctx.store.db
    .updateTable('apps')
    .set({ business_hours: value ? JSON.stringify(value) : null })
    .where('id', '=', input.appId)
    .execute()
  ctx.apps.invalidate()
  ctx.bus.publish({ kind: 'availability' })
  return value
}
