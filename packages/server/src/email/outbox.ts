import type { Selectable } from 'kysely'
import { createTransport, type Transporter } from 'nodemailer'
import { Resend } from 'resend'
import type { Context } from '../context.js'
import type { Database, Tx } from '../db/database.js'
import type { DB } from '../db/schema.js'
import { newId } from '../ids.js'
import { type Locale, localeOf, render, type Template } from './render.js'
import { withoutResetToken } from './templates.js'

type Kind = DB['emails']['kind']

/** Retry delays after a failed send; after the last one the email is marked failed. */
const RETRY_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000]
/** Longest wait for Resend to answer one email. */
const SEND_TIMEOUT_MS = 10_000
/** How long a sending instance holds an email before another may try it. */
const LEASE_MS = 60_000

/**
 * Puts an email in the outbox, inside the transaction of what caused it: if that rolls back, no
 * email; if it commits, the email will go out (the request never waits for it, and never fails
 * because of it).
 */
export async function queueEmail(
  tx: Tx,
  email: {
    userId: string | null
    to: string
    kind: Kind
    template: Template
    reference?: string
    /** The vendor the email is about (its name signs it); else the user's own app, else "Suportra". */
    appId?: string
    /** The language when there is no user to read it from (`Accept-Language`); else the user's. */
    locale?: Locale
  },
): Promise<string> {
  const now = Date.now()
  const user = email.userId
    ? await tx
        .selectFrom('users')
        .select(['locale', 'app_id'])
        .where('id', '=', email.userId)
        .executeTakeFirst()
    : undefined
  const appId = email.appId ?? user?.app_id
  const app = appId
    ? await tx.selectFrom('apps').select('name').where('id', '=', appId).executeTakeFirst()
    : undefined
  const rendered = render(email.template, email.locale ?? localeOf(user?.locale), app?.name ?? 'Suportra')
  const id = newId('eml')
  await tx
    .insertInto('emails')
    .values({
      id,
      user_id: email.userId,
      to_address: email.to,
      kind: email.kind,
      reference: email.reference ?? null,
      subject: rendered.subject,
      body: rendered.body,
      html: rendered.html,
      status: 'pending',
      last_error: null,
      created_at: now,
      next_attempt_at: now,
      sent_at: null,
    })
    .execute()
  return id
}

/**
 * Sends what the outbox holds, every few seconds: through Resend when an API key is configured
 * (the email id is the idempotency key, so a retry never sends twice), otherwise it stays in the
 * local outbox (readable at /dev/mail in development). Each email is leased with a conditional
 * update, so several server instances never send the same one twice.
 */
/** The latest emails of the outbox, newest first (the development mailbox page). */
export function recentEmails(store: Database, limit = 200) {
  return store.db.selectFrom('emails').selectAll().orderBy('created_at', 'desc').limit(limit).execute()
}

export class Mailer {
  readonly #ctx: Context
  readonly #resend: Resend | undefined
  readonly #smtp: Transporter | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  readonly #stopping = new AbortController()

  constructor(ctx: Context) {
    this.#ctx = ctx
    const { apiKey, baseUrl } = ctx.config.resend
    // SMTP when configured (self-hosters), else Resend with a key, else the local outbox.
    this.#smtp = ctx.config.smtp.url ? createTransport(smtpOptions(ctx.config.smtp.url)) : undefined
    this.#resend = !this.#smtp && apiKey ? new Resend(apiKey, baseUrl ? { baseUrl } : undefined) : undefined
  }

  start(intervalMs = 2_000): void {
    // A failed pass (the database busy or gone for a moment) is logged and tried again next time.
    this.#timer = setInterval(
      () => this.flush().catch((error) => this.#ctx.log.error({ err: String(error) }, 'email flush failed')),
      intervalMs,
    )
    this.#timer.unref()
  }

  /**
   * Shutdown: stops the timer, lets the pass under way finish and sends what is due once more, all
   * before `deadline` (epoch ms); a send still in flight then is abandoned, as `stop()` does.
   */
  async drain(deadline: number): Promise<void> {
    clearInterval(this.#timer)
    const timer = setTimeout(() => this.#stopping.abort(), Math.max(0, deadline - Date.now()))
    try {
      await this.#running
      if (Date.now() < deadline) await this.flush()
    } finally {
      clearTimeout(timer)
      this.#stopping.abort()
    }
  }

  /** Stops the timer and abandons a send in flight (it is retried later, with the same idempotency key). */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#stopping.abort()
    await this.#running
  }

  /** Sends every email that is due (one pass; concurrent calls share it). */
  flush(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  get #transport(): string {
    return this.#smtp ? 'smtp' : this.#resend ? 'resend' : 'local'
  }

  async #pass(): Promise<void> {
    const { db } = this.#ctx.store
    const now = Date.now()
    const due = await db
      .selectFrom('emails')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('created_at')
      .limit(50)
      .execute()
    for (const email of due) {
      const leased = await db
        .updateTable('emails')
        .set({ next_attempt_at: now + LEASE_MS, attempts: email.attempts + 1 })
        .where('id', '=', email.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', email.next_attempt_at)
        .executeTakeFirst()
      if (leased.numUpdatedRows === 0n) continue
      try {
        const sent = await this.#send(email)
        await db
          .updateTable('emails')
          .set({
            status: sent ? 'sent' : 'kept',
            sent_at: Date.now(),
            last_error: null,
            // A sent reset link's token has no business staying in the database.
            ...(sent &&
              email.kind === 'password_reset' && {
                body: withoutResetToken(email.body),
                html: email.html && withoutResetToken(email.html),
              }),
          })
          .where('id', '=', email.id)
          .execute()
        this.#ctx.metrics.emails.inc({ outcome: sent ? 'sent' : 'kept', transport: this.#transport })
      } catch (error) {
        const delay = RETRY_MS[email.attempts]
        const message = error instanceof Error ? error.message : String(error)
        await db
          .updateTable('emails')
          .set({
            status: delay === undefined ? 'failed' : 'pending',
            next_attempt_at: Date.now() + (delay ?? 0),
            last_error: message.slice(0, 500),
          })
          .where('id', '=', email.id)
          .execute()
        this.#ctx.metrics.emails.inc({
          outcome: delay === undefined ? 'given_up' : 'failed',
          transport: this.#transport,
        })
        this.#ctx.log.warn(
          { emailId: email.id, kind: email.kind, attempt: email.attempts + 1, err: message },
          'email not sent',
        )
      }
    }
  }

  /** True when sent; false when no transport is configured (development: it stays in the local outbox). */
  async #send(email: Selectable<DB['emails']>): Promise<boolean> {
    const message = {
      from: this.#ctx.config.emailFrom,
      to: email.to_address,
      subject: email.subject,
      text: email.body,
      ...(email.html && { html: email.html }),
    }
    if (this.#smtp) {
      // The email id as Message-ID: a retry after a lost answer is recognisable as the same email.
      await this.#smtp.sendMail({ ...message, messageId: `<${email.id}@suportra>` })
      return true
    }
    if (!this.#resend) return false
    const { error } = await this.#resend.emails.send(
      message,
      // A provider that never answers must not hold the outbox (or shutdown) hostage.
      {
        idempotencyKey: email.id,
        signal: AbortSignal.any([AbortSignal.timeout(SEND_TIMEOUT_MS), this.#stopping.signal]),
      },
    )
    if (error) throw new Error(`Resend: ${error.message}`)
    return true
  }
}

/** An SMTP URL as nodemailer options, with timeouts so a mail server that hangs cannot hold the outbox. */
function smtpOptions(url: string) {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port) || (parsed.protocol === 'smtps:' ? 465 : 587),
    secure: parsed.protocol === 'smtps:',
    ...(parsed.username && {
      auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) },
    }),
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  }
}
