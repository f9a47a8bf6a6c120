import * as z from 'zod/mini'
import type { SessionContext } from './context.js'
import type { Patch, PatchResult } from './patch.js'

const id = z.string()
const timestamp = z.number()
const count = z.number()

export const Role = z.enum(['user', 'builder'])
export type Role = z.infer<typeof Role>

/** A signed-in person: an end user or a builder. */
export const User = z.object({
  id,
  name: z.string(),
  email: z.nullable(z.string()),
  role: Role,
  /** The tools a builder covers; empty for users. */
  tools: z.array(z.string()),
  createdAt: timestamp,
  /**
   * True when the vendor manages the account (signed in with an identity token): its name and email
   * come from the vendor and cannot be changed through Suportra. Absent from older servers. (Unchecked
   * beyond being read as true or not: a checked optional boolean would cost the client 130 bytes.)
   */
  managed: z.unknown() as unknown as z.ZodMiniOptional<z.ZodMiniBoolean>,
})
export type User = z.infer<typeof User>

/** Any JSON object; its keys are not checked. */
export const JsonObject = z.looseObject({})

/** An AI coding tool users can ask about. */
export const Tool = z.object({ id, name: z.string() })
export type Tool = z.infer<typeof Tool>

export const SessionStatus = z.enum(['waiting', 'active', 'closed', 'cancelled'])
export type SessionStatus = z.infer<typeof SessionStatus>

export const SessionKind = z.enum(['chat', 'video'])
export type SessionKind = z.infer<typeof SessionKind>

/**
 * Vendor-supplied context (page, file, error, diff…). Responses check only that it is an object: the
 * server validated its parts on the way in (`SessionContextInput` in ./context.ts), and the client
 * stays small.
 */
const ContextObject = JsonObject as unknown as z.ZodMiniType<SessionContext>

const Person = z.object({ id, name: z.string() })

/** A waiting session's place: `position` 1 is next; the expected wait is null before any claim. */
export const QueueInfo = z.object({ position: count, expectedWaitSeconds: z.nullable(count) })
export type QueueInfo = z.infer<typeof QueueInfo>

/** A conversation between a user and (once claimed) a builder. */
export const Session = z.object({
  id,
  appId: z.string(),
  tool: z.string(),
  topic: z.string(),
  context: z.nullable(ContextObject),
  kind: SessionKind,
  status: SessionStatus,
  user: Person,
  builder: z.nullable(Person),
  cost: count,
  createdAt: timestamp,
  assignedAt: z.nullable(timestamp),
  closedAt: z.nullable(timestamp),
  rating: z.nullable(z.object({ score: count, comment: z.nullable(z.string()) })),
  /** Highest message `seq` in the session. */
  lastSeq: count,
  /** Highest `seq` each side has marked read. */
  readSeq: z.object({ user: count, builder: count }),
  /** Place in the queue while waiting; null otherwise. */
  queue: z.nullable(QueueInfo),
  /** The meeting link once the session is a video session. */
  meetingUrl: z.nullable(z.string()),
})
export type Session = z.infer<typeof Session>

export const Author = z.enum(['user', 'builder', 'system'])
export type Author = z.infer<typeof Author>

export const MessageKind = z.enum(['text', 'code', 'file', 'event'])
export type MessageKind = z.infer<typeof MessageKind>

/** A file attached to a session; `url` needs the participant's access token. */
export const Attachment = z.object({
  id,
  name: z.string(),
  type: z.string(),
  size: count,
  url: z.string(),
})
export type Attachment = z.infer<typeof Attachment>

export const CodeBlock = z.object({ language: z.string(), content: z.string() })
export type CodeBlock = z.infer<typeof CodeBlock>

/** A stored message's fields, as checked. */
const MessageFields = {
  id,
  clientId: z.nullable(z.string()),
  sessionId: id,
  seq: count,
  author: Author,
  authorId: z.nullable(id),
  kind: MessageKind,
  /** Markdown text; for `event` messages the event name (`started`, `claimed`, `video`, `closed`, `cancelled`). */
  body: z.string(),
  code: z.nullable(CodeBlock),
  attachments: z.array(Attachment),
  createdAt: timestamp,
}

/**
 * A stored message. `seq` is gap-free per session; `clientId` is the sender's idempotency key.
 *
 * `patch` (a builder's fix as a unified diff) and `patchResult` (on a user's message: what their tool
 * made of a patch) are null or absent (older servers) on other messages. They are kept but not
 * checked here, by a loose object, as `User.managed`: checked, they cost the client about 180 bytes,
 * and naming them unchecked about 20. The server checks them on the way in (`PatchInput`,
 * `PatchResultInput` in ./patch.ts), and the widget shows a diff only as text.
 */
export const Message = z.looseObject(MessageFields) as unknown as z.ZodMiniObject<
  typeof MessageFields & {
    patch: z.ZodMiniOptional<z.ZodMiniNullable<typeof Patch>>
    patchResult: z.ZodMiniOptional<z.ZodMiniNullable<typeof PatchResult>>
  }
>
export type Message = z.infer<typeof Message>

/**
 * `hold` (−) when a session starts; `capture` (0) or `release` (+) resolves it; `video` (−);
 * `purchase` (+) a pack; `grant` / `refund` (+) credits given back or offered; `reversal` (−) a
 * purchase refunded or disputed at Stripe takes its remaining credits back.
 */
export const TransactionKind = z.enum([
  'grant',
  'purchase',
  'hold',
  'capture',
  'release',
  'video',
  'refund',
  'reversal',
])
export type TransactionKind = z.infer<typeof TransactionKind>

/** One row of the append-only credit ledger. The balance is the sum of `amount`. */
export const Transaction = z.object({
  id,
  kind: TransactionKind,
  amount: count,
  reference: z.nullable(z.string()),
  createdAt: timestamp,
})
export type Transaction = z.infer<typeof Transaction>

/** A credit pack for sale. `price` is in the currency's smallest unit (cents). */
export const Pack = z.object({ id, name: z.string(), credits: count, price: count, currency: z.string() })
export type Pack = z.infer<typeof Pack>
