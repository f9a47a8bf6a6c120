import type { Generated, Insertable, Selectable } from 'kysely'

/** Table types for Kysely. Timestamps are milliseconds since the epoch; JSON columns are text. */
export interface DB {
  settings: { key: string; value: string }
  apps: {
    id: string
    name: string
    /** JSON array of origin patterns, e.g. `http://localhost:*`. */
    allowed_origins: string
    identity_secret: string
    identity_required: number
    created_at: number
    /** After a rotation: the secret before it, accepted too until `previous_secret_expires_at`. */
    previous_identity_secret: Generated<string | null>
    previous_secret_expires_at: Generated<number | null>
    /** JSON `{ timeZone, weekly }` (availability/hours.ts), or null: always open. */
    business_hours: Generated<string | null>
  }
  users: {
    id: string
    name: string
    /** Shown to builders and used for email; not unique (identified users may share it). */
    email: string | null
    /** Lower-cased email of a password account; unique. */
    login_email: string | null
    password_hash: string | null
    role: 'user' | 'builder'
    /** JSON array of tool ids a builder covers. */
    tools: string
    /** Set for users identified by a vendor token: the app and the vendor's user id. */
    app_id: string | null
    external_id: string | null
    created_at: number
    /** When the person confirmed at sign-up that they are 16 or older; null if never asked. */
    age_confirmed_at: number | null
    /** Set when an operator deactivated the account (builders): it can no longer sign in. */
    deactivated_at: Generated<number | null>
    /** The language of the emails sent to this user (`en`, `es`, `de`, `ar`); null: English. */
    locale: Generated<string | null>
    /** Builders: the console's available/away switch (1 available). */
    available: Generated<number>
    /** When the user last had a connected socket; null if never. */
    seen_at: Generated<number | null>
  }
  /** Password reset links (see `auth/password-reset.ts`). */
  password_resets: {
    id: string
    /** SHA-256 of the token: the token itself is only in the emailed link. */
    token_hash: string
    user_id: string
    /** The app the reset was asked from: the link signs in there. */
    app_id: string
    created_at: number
    expires_at: number
    /** Set when the link was used, or made void (another reset succeeded, the email changed). */
    used_at: number | null
  }
  refresh_families: {
    id: string
    user_id: string
    app_id: string
    created_at: number
    revoked_at: number | null
    revoked_reason: string | null
  }
  refresh_tokens: {
    token_hash: string
    family_id: string
    created_at: number
    expires_at: number
    used_at: number | null
  }
  sessions: {
    id: string
    user_id: string
    app_id: string
    tool: string
    topic: string
    context: string | null
    kind: 'chat' | 'video'
    status: 'waiting' | 'active' | 'closed' | 'cancelled'
    builder_id: string | null
    cost: number
    idempotency_key: string | null
    created_at: number
    assigned_at: number | null
    closed_at: number | null
    rating_score: number | null
    rating_comment: string | null
    last_seq: Generated<number>
    user_read_seq: Generated<number>
    builder_read_seq: Generated<number>
    transcript_deleted_at: number | null
    /** The page the session started from, on one of the app's origins (the away email's link). */
    return_url: Generated<string | null>
    /** The language the session was asked in (the away email's). */
    locale: Generated<string | null>
    away_emailed_at: Generated<number | null>
  }
  messages: {
    id: string
    session_id: string
    seq: number
    client_id: string | null
    author: 'user' | 'builder' | 'system'
    author_id: string | null
    kind: 'text' | 'code' | 'file' | 'event'
    body: string
    code_language: string | null
    code_content: string | null
    created_at: number
    /** A builder's patch (migration 0005_patches); null on other messages. */
    patch_diff?: string | null
    patch_description?: string | null
    /** A user's report on a patch: the message that carried it, 1/0, and why it failed. */
    patch_result_of?: string | null
    patch_applied?: number | null
    patch_detail?: string | null
  }
  attachments: {
    id: string
    session_id: string
    uploader_id: string
    message_id: string | null
    name: string
    type: string
    size: number
    created_at: number
  }
  ledger: {
    id: string
    /** Null once the account is deleted: billing rows are kept, anonymised. */
    user_id: string | null
    kind: 'grant' | 'purchase' | 'hold' | 'capture' | 'release' | 'video' | 'refund' | 'reversal'
    amount: number
    idempotency_key: string
    reference: string | null
    created_at: number
  }
  purchases: {
    id: string
    /** Null once the account is deleted (billing rows are kept, anonymised). */
    user_id: string | null
    pack_id: string
    credits: number
    /** In the currency's smallest unit (cents). */
    amount: number
    currency: string
    status: 'pending' | 'paid' | 'refunded'
    /** Stripe Checkout session id. */
    checkout_id: string | null
    payment_intent: string | null
    created_at: number
    paid_at: number | null
    refunded_at: number | null
  }
  stripe_events: {
    id: string
    type: string
    payment_intent: string | null
    reverses: number
    created_at: number
  }
  emails: {
    id: string
    user_id: string | null
    to_address: string
    kind:
      | 'session_started'
      | 'low_balance'
      | 'receipt'
      | 'audit'
      | 'password_reset'
      | 'email_changed'
      | 'policy_notice'
      | 'builder_replied'
    reference: string | null
    subject: string
    body: string
    /** `kept`: no Resend key, so it stays in the local outbox (/dev/mail). */
    status: 'pending' | 'sent' | 'kept' | 'failed'
    attempts: Generated<number>
    last_error: string | null
    created_at: number
    next_attempt_at: number
    sent_at: number | null
    /** The HTML part (the text part is `body`); null for emails queued before it existed. */
    html: Generated<string | null>
  }
  audits: {
    id: string
    /** The account that sent it while signed in; null for anonymous requests. */
    user_id: string | null
    email: string
    building: string
    tools: string
    blockers: string
    created_at: number
  }
  /** Server API keys (`server-api/keys.ts`). */
  api_keys: {
    id: string
    app_id: string
    name: string
    /** SHA-256 (hex) of the key. */
    key_hash: string
    prefix: string
    created_at: number
    last_used_at: number | null
    revoked_at: number | null
  }
  /** Answers of server API requests sent with an `Idempotency-Key`, replayed for 24 hours. */
  idempotency_keys: {
    app_id: string
    key: string
    fingerprint: string
    status: number
    body: string
    created_at: number
  }
  webhook_endpoints: {
    id: string
    app_id: string
    url: string
    /** JSON array of event types. */
    events: string
    secret: string
    created_at: number
  }
  /** The webhook outbox: one row per change, written in the change's transaction. */
  webhook_events: {
    id: string
    app_id: string
    type: string
    payload: string
    created_at: number
  }
  webhook_deliveries: {
    id: string
    event_id: string
    endpoint_id: string
    order_key: string | null
    order_seq: number
    status: 'pending' | 'delivered' | 'failed'
    attempts: Generated<number>
    next_attempt_at: number
    last_status: number | null
    last_error: string | null
    created_at: number
    delivered_at: number | null
  }
  /** Attachment contents stored in the database (`storage/database-files.ts`). */
  files: { id: string; data: Uint8Array; created_at: number }
  /** Staff reads of transcripts (`admin/transcripts.ts`): who, when, why. */
  staff_access: {
    id: string
    session_id: string
    /** The session's user, who sees the row in their export; null once that account is deleted. */
    user_id: string | null
    staff: string
    reason: string
    created_at: number
  }
  notices: { id: string; subject: string; body: string; created_at: number }
  /** One row per notice and user: the email queued for them (at most once). */
  notice_deliveries: { notice_id: string; user_id: string; email_id: string; created_at: number }
}

export type AppRow = Selectable<DB['apps']>
export type UserRow = Selectable<DB['users']>
export type SessionRow = Selectable<DB['sessions']>
export type MessageRow = Selectable<DB['messages']>
export type AttachmentRow = Selectable<DB['attachments']>
export type NewMessage = Insertable<DB['messages']>
