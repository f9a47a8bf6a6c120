import * as z from 'zod/mini'
import { SessionContextInput } from './context.js'
import { LIMITS } from './limits.js'
import { SessionKind } from './models.js'
import { PatchInput, PatchResultInput } from './patch.js'

const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max))
const email = z.email().check(z.maxLength(LIMITS.emailLength), z.toLowerCase())
const password = z.string().check(z.minLength(LIMITS.passwordMin), z.maxLength(LIMITS.passwordMax))

/** Ids the client generates (message ids, idempotency keys). */
export const ClientId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'Must be 8–64 letters, digits, _ or -'))

// ---- auth ----

export const SignUpRequest = z.strictObject({
  name: text(1, LIMITS.nameLength),
  email,
  password,
  /**
   * The person confirms they are 16 or older: the service is not for children under 16 (privacy
   * policy, "Children"). Must be `true`; the server records when it was given.
   */
  ageConfirmed: z.literal(true, 'Confirm that you are 16 or older'),
})
export type SignUpRequest = z.input<typeof SignUpRequest>

/** A password someone already has (checked against the stored hash; no minimum length). */
const currentPassword = z.string().check(z.minLength(1), z.maxLength(LIMITS.passwordMax))

export const SignInRequest = z.strictObject({ email, password: currentPassword })
export type SignInRequest = z.input<typeof SignInRequest>

export const PasswordResetRequest = z.strictObject({
  email,
  /**
   * The page the emailed link opens, on one of the app's allowed origins (or the server's own): the
   * link is this URL with `#suportra-reset=<token>` as its fragment, which browsers never send to a server.
   */
  url: z.url({ protocol: /^https?$/ }).check(z.maxLength(LIMITS.urlLength)),
})
export type PasswordResetRequest = z.input<typeof PasswordResetRequest>

export const PasswordResetConfirmRequest = z.strictObject({
  /** The token from the link's fragment. */
  token: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The new password. */
  password,
})
export type PasswordResetConfirmRequest = z.input<typeof PasswordResetConfirmRequest>

export const IdentifyRequest = z.strictObject({ token: z.string().check(z.minLength(1), z.maxLength(4096)) })
export type IdentifyRequest = z.input<typeof IdentifyRequest>

export const RefreshRequest = z.strictObject({
  refreshToken: z.string().check(z.minLength(1), z.maxLength(512)),
})
export type RefreshRequest = z.input<typeof RefreshRequest>

export const SignOutRequest = z.strictObject({
  refreshToken: z.optional(z.string().check(z.maxLength(512))),
})

// ---- account ----

export const UpdateAccountRequest = z
  .strictObject({
    name: z.optional(text(1, LIMITS.nameLength)),
    email: z.optional(email),
    /** The current password: a change to the account is confirmed with it. */
    password: currentPassword,
  })
  .check(
    z.refine((input) => input.name !== undefined || input.email !== undefined, {
      message: 'Send a new name, a new email or both',
    }),
  )
export type UpdateAccountRequest = z.input<typeof UpdateAccountRequest>

// ---- credits ----

export const CheckoutRequest = z.strictObject({
  packId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** Where Stripe sends the user after paying / after giving up: an http(s) URL on your app's origin. */
  successUrl: z.url().check(z.maxLength(2048)),
  cancelUrl: z.url().check(z.maxLength(2048)),
})
export type CheckoutRequest = z.input<typeof CheckoutRequest>

// ---- sessions ----

export const StartSessionRequest = z.strictObject({
  tool: z.string().check(z.minLength(1), z.maxLength(40)),
  topic: text(1, LIMITS.topicLength),
  context: z.optional(SessionContextInput),
  kind: z.optional(SessionKind),
  /**
   * The page the session started from: the away email links back to it (with the chat open on the
   * session) when it is on one of the app's allowed origins; ignored otherwise.
   */
  returnUrl: z.optional(z.string().check(z.maxLength(2_000))),
})
export type StartSessionRequest = z.input<typeof StartSessionRequest>

export const RateRequest = z.strictObject({
  score: z.int().check(z.gte(1), z.lte(5)),
  comment: z.optional(z.string().check(z.maxLength(LIMITS.ratingCommentLength))),
})
export type RateRequest = z.input<typeof RateRequest>

export const ReadRequest = z.strictObject({ seq: z.int().check(z.gte(0)) })

// ---- messages ----

export const SendMessageRequest = z
  .strictObject({
    /** Client-generated id; a retry with the same id returns the original message. */
    id: ClientId,
    text: z.optional(z.string().check(z.maxLength(LIMITS.textLength))),
    code: z.optional(
      z.strictObject({
        language: z.string().check(z.maxLength(LIMITS.languageLength), z.regex(/^[\w+#.-]*$/)),
        content: z.string().check(z.minLength(1), z.maxLength(LIMITS.codeLength)),
      }),
    ),
    attachmentIds: z.optional(
      z.array(z.string().check(z.maxLength(64))).check(z.maxLength(LIMITS.attachmentsPerMessage)),
    ),
    /** A fix as a unified diff; builders only (see ./patch.ts). Null: none. */
    patch: z.optional(z.nullable(PatchInput)),
    /** The user's tool applied (or failed to apply) a builder's patch; the server words the message. Null: none. */
    patchResult: z.optional(z.nullable(PatchResultInput)),
  })
  .check(
    z.refine(
      (m) => Boolean(m.text?.trim() || m.code || m.attachmentIds?.length || m.patch || m.patchResult),
      {
        message: 'A message needs text, code, an attachment or a patch',
      },
    ),
  )
export type SendMessageRequest = z.input<typeof SendMessageRequest>

export const MessagesQuery = z.strictObject({
  before: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
  after: z.optional(z.coerce.number().check(z.int(), z.gte(0))),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(LIMITS.pageSize))),
})

// ---- builder ----

// ---- stack audit ----

export const AuditRequest = z.strictObject({
  email,
  building: text(1, LIMITS.auditTextLength),
  tools: z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.maxLength(20)),
  blockers: text(0, LIMITS.auditTextLength),
})
export type AuditRequest = z.input<typeof AuditRequest>
