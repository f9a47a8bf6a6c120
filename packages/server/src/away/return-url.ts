import { allows } from '../apps/apps.js'
import type { Context } from '../context.js'

/** The languages the away email is written in; others get English. */
export const EMAIL_LOCALES = ['en', 'es', 'de', 'ar'] as const
export type EmailLocale = (typeof EMAIL_LOCALES)[number]

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

/** The first of the user's languages (`Accept-Language`) the email speaks; English otherwise. */
export function emailLocale(acceptLanguage: string | undefined): EmailLocale {
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const base = part.trim().split(/[-;]/)[0]?.toLowerCase() as EmailLocale
    if (EMAIL_LOCALES.includes(base)) return base
  }
  return 'en'
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
    .set({ return_url: url ?? null, locale: emailLocale(input.acceptLanguage) })
    .where('id', '=', input.sessionId)
    .execute()
}
