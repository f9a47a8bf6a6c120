import type { Kysely, Migration } from 'kysely'

/**
 * Versioned schema migrations, applied in name order at start. Never edit one that has shipped:
 * add a new one. Written with Kysely's schema builder so they run on SQLite and PostgreSQL alike.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('allowed_origins', 'text', (c) => c.notNull())
        .addColumn('identity_secret', 'text', (c) => c.notNull())
        .addColumn('identity_required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('login_email', 'text', (c) => c.unique())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('tools', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('app_id', 'text')
        .addColumn('external_id', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addUniqueConstraint('users_app_external', ['app_id', 'external_id'])
        .execute()

      await db.schema
        .createTable('refresh_families')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .addColumn('revoked_reason', 'text')
        .execute()
      await db.schema.createIndex('refresh_families_user').on('refresh_families').column('user_id').execute()

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute()
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute()

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('context', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('builder_id', 'text')
        .addColumn('cost', 'integer', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('assigned_at', ms)
        .addColumn('closed_at', ms)
        .addColumn('rating_score', 'integer')
        .addColumn('rating_comment', 'text')
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('user_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('builder_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('sessions_user_idempotency', ['user_id', 'idempotency_key'])
        .execute()
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'created_at']).execute()
      await db.schema
        .createIndex('sessions_builder')
        .on('sessions')
        .columns(['builder_id', 'created_at'])
        .execute()
      await db.schema
        .createIndex('sessions_status')
        .on('sessions')
        .columns(['status', 'created_at'])
        .execute()

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('code_language', 'text')
        .addColumn('code_content', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addUniqueConstraint('messages_session_seq', ['session_id', 'seq'])
        .addUniqueConstraint('messages_author_client', ['author_id', 'client_id'])
        .execute()

      await db.schema
        .createTable('attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('uploader_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('attachments_session').on('attachments').column('session_id').execute()
      await db.schema.createIndex('attachments_message').on('attachments').column('message_id').execute()

      await db.schema
        .createTable('ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('reference', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('ledger_user').on('ledger').columns(['user_id', 'created_at']).execute()

      await db.schema
        .createTable('audits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('building', 'text', (c) => c.notNull())
        .addColumn('tools', 'text', (c) => c.notNull())
        .addColumn('blockers', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
    },
  },

  '0002_billing_and_email': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      // A credit pack bought through Stripe Checkout (or the local test checkout).
      await db.schema
        .createTable('purchases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text')
        .addColumn('pack_id', 'text', (c) => c.notNull())
        .addColumn('credits', 'integer', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('checkout_id', 'text')
        .addColumn('payment_intent', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('paid_at', ms)
        .addColumn('refunded_at', ms)
        .execute()
      await db.schema.createIndex('purchases_user').on('purchases').column('user_id').execute()
      await db.schema
        .createIndex('purchases_payment_intent')
        .on('purchases')
        .column('payment_intent')
        .execute()
      // Every Stripe event applied, so a redelivered or concurrent duplicate is applied once.
      await db.schema
        .createTable('stripe_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payment_intent', 'text')
        // 1 for a full refund or a dispute: the payment's credits must be taken back.
        .addColumn('reverses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('stripe_events_payment_intent')
        .on('stripe_events')
        .column('payment_intent')
        .execute()
      // The email outbox: written in the transaction that causes the email, sent (and retried) later.
      await db.schema
        .createTable('emails')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text')
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        // What the email is about (a session, a purchase), so deleting that can delete the email too.
        .addColumn('reference', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('next_attempt_at', ms, (c) => c.notNull())
        .addColumn('sent_at', ms)
        .execute()
      await db.schema.createIndex('emails_due').on('emails').columns(['status', 'next_attempt_at']).execute()
      await db.schema.createIndex('emails_user').on('emails').column('user_id').execute()
      // Set when the user deleted the transcript: messages and files are gone, the row stays for billing.
      await db.schema.alterTable('sessions').addColumn('transcript_deleted_at', ms).execute()
    },
  },
  '0003_audit_owner': {
    // Audits belong to the account that sent them while signed in. Matching by email address
    // instead would hand one account's audits to anyone who claims the same (unverified) address.
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      await db.schema.alterTable('audits').addColumn('user_id', 'text').execute()
      await db.schema.createIndex('audits_user').on('audits').column('user_id').execute()
    },
  },
  '0004_accounts': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      // When the person confirmed at sign-up that they are 16 or older (the privacy policy's children
      // clause); null for accounts made before it was asked, by a vendor token or by an operator.
      await db.schema.alterTable('users').addColumn('age_confirmed_at', ms).execute()
      // Password reset links: only a hash of the token is kept; each works once, until it expires.
      await db.schema
        .createTable('password_resets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute()
      await db.schema.createIndex('password_resets_user').on('password_resets').column('user_id').execute()
    },
  },
  '0005_patches': {
    // A builder's fix as a unified diff on a message, and a user's report on one ("Patch applied",
    // "Patch failed: …") pointing at the message that carried it.
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      await db.schema.alterTable('messages').addColumn('patch_diff', 'text').execute()
      await db.schema.alterTable('messages').addColumn('patch_description', 'text').execute()
      await db.schema.alterTable('messages').addColumn('patch_result_of', 'text').execute()
      await db.schema.alterTable('messages').addColumn('patch_applied', 'integer').execute()
      await db.schema.alterTable('messages').addColumn('patch_detail', 'text').execute()
    },
  },
  '0006_server_api': {
    // The vendor's backend (issue 22): server API keys, idempotent API requests, webhook endpoints,
    // and the webhook outbox (an event per change, written in the change's transaction, and a
    // delivery per subscribed endpoint, sent and retried by the webhook worker).
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        // SHA-256 of the key: the key itself is shown once, at creation.
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        // The key's first characters, so an operator can tell keys apart in a list.
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('last_used_at', ms)
        .addColumn('revoked_at', ms)
        .execute()
      await db.schema.createIndex('api_keys_app').on('api_keys').column('app_id').execute()

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        // SHA-256 of method, path and body: the same key with another request is refused.
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['app_id', 'key'])
        .execute()
      await db.schema
        .createIndex('idempotency_keys_created')
        .on('idempotency_keys')
        .column('created_at')
        .execute()

      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        // JSON array of event types.
        .addColumn('events', 'text', (c) => c.notNull())
        // Kept as it is: every delivery is signed with it.
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('webhook_endpoints_app').on('webhook_endpoints').column('app_id').execute()

      await db.schema
        .createTable('webhook_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        // The exact body every delivery of the event sends.
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        // Deliveries with the same key (a session id) go out one after the other, in `order_seq` order.
        .addColumn('order_key', 'text')
        .addColumn('order_seq', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        // Also the lease: an instance sending it moves it forward first (conditional update).
        .addColumn('next_attempt_at', ms, (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('delivered_at', ms)
        .execute()
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute()
      await db.schema
        .createIndex('webhook_deliveries_endpoint')
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'created_at'])
        .execute()
      await db.schema
        .createIndex('webhook_deliveries_order')
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'order_key', 'order_seq'])
        .execute()
    },
  },
  '0007_availability': {
    // Builders' presence, business hours and the away email (see `availability/`).
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      // The console's available/away switch; a builder counts while available and connected.
      await db.schema
        .alterTable('users')
        .addColumn('available', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
      // When the user last had a connected socket (refreshed while connected): the away email's clock.
      await db.schema.alterTable('users').addColumn('seen_at', ms).execute()
      // JSON { timeZone, weekly } or null (always open).
      await db.schema.alterTable('apps').addColumn('business_hours', 'text').execute()
      // The page the session started from (on an allowed origin) and the language it was asked in.
      await db.schema.alterTable('sessions').addColumn('return_url', 'text').execute()
      await db.schema.alterTable('sessions').addColumn('locale', 'text').execute()
      // The last away email for the session: one per absence (the user seen since allows the next).
      await db.schema.alterTable('sessions').addColumn('away_emailed_at', ms).execute()
    },
  },
  '0008_operations': {
    // Operating the server (issue 23): files in the database, staff access on the record, policy
    // notices sent once per user, identity secret rotation, deactivated builders, HTML emails.
    // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
    async up(db: Kysely<any>) {
      const ms = 'bigint'
      // Attachment contents when SUPORTRA_FILES=database (several instances, no shared folder).
      // `bytea` is PostgreSQL's binary type; SQLite stores the blob as it is under any type name.
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      // Every staff read of a transcript: who, when, why (the user sees these in their data export).
      await db.schema
        .createTable('staff_access')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('staff', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('staff_access_user').on('staff_access').column('user_id').execute()
      // Policy-change notices and the one email each registered user gets for each.
      await db.schema
        .createTable('notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('notice_deliveries')
        .addColumn('notice_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('email_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('notice_deliveries_pk', ['notice_id', 'user_id'])
        .execute()
      // Identity secret rotation: the previous secret stays valid until the overlap window ends.
      await db.schema.alterTable('apps').addColumn('previous_identity_secret', 'text').execute()
      await db.schema.alterTable('apps').addColumn('previous_secret_expires_at', ms).execute()
      // A deactivated builder cannot sign in, and their active sessions went back to the queue.
      await db.schema.alterTable('users').addColumn('deactivated_at', ms).execute()
      // The language emails are written in (en, es, de, ar); null: English.
      await db.schema.alterTable('users').addColumn('locale', 'text').execute()
      // Emails in HTML besides the text part (null for emails queued before this version).
      await db.schema.alterTable('emails').addColumn('html', 'text').execute()
    },
  },
}
