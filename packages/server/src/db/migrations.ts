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
}
