/** The languages emails are written in: the widget's. */
export const LOCALES = ['en', 'es', 'de', 'ar'] as const
export type Locale = (typeof LOCALES)[number]

/** What a template writes: a subject and paragraphs of plain text (a paragraph that is a URL becomes a link). */
export interface EmailContent {
  subject: string
  paragraphs: string[]
}

/**
 * An email template: one function from the language (and the vendor's name, for the sign-off) to
 * its subject and paragraphs. Adding an email is writing one (see `templates.ts`); `render` makes
 * the text and HTML parts, escaping everything, right-to-left for Arabic.
 */
export type Template = (locale: Locale, appName: string) => EmailContent

export interface RenderedEmail {
  subject: string
  /** The text part. */
  body: string
  html: string
}

/** `en`, `es`, `de` or `ar` from a stored value or an `Accept-Language` header; English otherwise. */
export function localeOf(value: string | null | undefined): Locale {
  for (const part of (value ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase()
    if ((LOCALES as readonly string[]).includes(tag ?? '')) return tag as Locale
  }
  return 'en'
}

const SIGN_OFF: Record<Locale, (app: string) => string> = {
  en: (app) => `— ${app}, through Suportra`,
  es: (app) => `— ${app}, a través de Suportra`,
  de: (app) => `— ${app}, über Suportra`,
  ar: (app) => `— ${app}، عبر Suportra`,
}

export function render(template: Template, locale: Locale, appName: string): RenderedEmail {
  const { subject, paragraphs } = template(locale, appName)
  const all = [...paragraphs, SIGN_OFF[locale](appName)]
  const dir = locale === 'ar' ? 'rtl' : 'ltr'
  const html = `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body dir="${dir}" style="margin:0;padding:24px;background:#f6f7f9;font:16px/1.5 -apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px">
${all.map(paragraph).join('\n')}
</div>
</body>
</html>`
  return { subject, body: all.join('\n\n'), html }
}

function paragraph(text: string): string {
  if (/^https?:\/\/\S+$/.test(text)) {
    const href = escapeHtml(text)
    return `<p><a href="${href}" style="color:#4338ca;word-break:break-all">${href}</a></p>`
  }
  // Quoted input (a topic) is indented in the text part; a block quote here.
  if (text.startsWith('  '))
    return `<blockquote style="margin:0 0 16px;padding:8px 12px;border-inline-start:3px solid #c7d2fe;white-space:pre-wrap">${escapeHtml(text.trim())}</blockquote>`
  return `<p style="margin:0 0 16px;white-space:pre-wrap">${escapeHtml(text)}</p>`
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}
