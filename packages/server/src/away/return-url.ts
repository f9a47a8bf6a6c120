import { allows } from '../apps/apps.js'
import type { Context } from '../context.js'
import { localeOf } from '../email/render.js'

/**
 * The page a session started from, as the away email may link to it: an http(s) URL on one of the
 * app's allowed origins (the vendor's list; anything else is dropped, so the email never links to a
 * site the vendor did not name), without its query and fragment (they may hold tokens or personal
 * data, and the link goes into an email). Undefined when unusable.
 */
export async function returnUrlFor(ctx: Context, appId: string, raw: string | undefined) {
  if (!raw) return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  const app = await ctx.apps.get(appId)
  if (!app || !/^https?:$/.test(url.protocol) || url.username || url.password) return undefined
  if (!allows(app, url.origin)) return undefined
  return url.origin + url.pathname
}

/**
 * Records, for a session just started, the page it started from and the language it was asked in
 * (the away email's link and language). Metadata only: a failure here costs the email its link,
 * never the session.
 */
export async function recordOrigin(
  ctx: Context,
  input: {
    sessionId: string
    appId: string
    returnUrl: string | undefined
    acceptLanguage: string | undefined
  },
): Promise<void> {
  const url = await returnUrlFor(ctx, input.appId, input.returnUrl)
  await ctx.store.db
    .updateTable('sessions')
    .set({ return_url: url ?? null, locale: localeOf(input.acceptLanguage) })
    .where('id', '=', input.sessionId)
    .execute()
}
