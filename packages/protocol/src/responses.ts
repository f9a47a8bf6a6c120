/**
 * Response bodies. They validate shape only (no ranges or formats): the client bundles them, and
 * every check costs bytes. Unknown fields are allowed so older clients keep working.
 */
import * as z from 'zod/mini'
import { Attachment, Message, Pack, Session, Tool, Transaction, User } from './models.js'

export const AuthResponse = z.object({
  user: User,
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number(),
})
export type AuthResponse = z.infer<typeof AuthResponse>

export const UserResponse = z.object({ user: User })

/**
 * How people sign in to the app: `password` accounts (sign-in, sign-up, password reset), or not (the
 * app takes vendor identity tokens only; every app takes them).
 */
export const AuthMethodsResponse = z.object({ password: z.boolean() })
export type AuthMethodsResponse = z.infer<typeof AuthMethodsResponse>

export const ToolsResponse = z.object({ tools: z.array(Tool) })

/** `{ ok: true }`: acknowledgements and `GET /health`. */
export const OkResponse = z.object({ ok: z.boolean() })

export const BalanceResponse = z.object({ balance: z.number() })

export const TransactionsResponse = z.object({ transactions: z.array(Transaction) })

export const SessionResponse = z.object({ session: Session })

export const SessionsResponse = z.object({ sessions: z.array(Session) })

export const MessageResponse = z.object({ message: Message })

export const MessagesResponse = z.object({
  messages: z.array(Message),
  /** True when older (with `before`) or newer (with `after`) messages remain. */
  hasMore: z.boolean(),
})

export const AttachmentResponse = z.object({ attachment: Attachment })

export const QueueResponse = z.object({ queue: z.array(Session) })

export const AuditResponse = z.object({ audit: z.object({ id: z.string(), createdAt: z.number() }) })

/** What credits cost and buy: the packs, the price of a session and of video, and when to warn. */
export const PacksResponse = z.object({
  packs: z.array(Pack),
  costs: z.object({ conversation: z.number(), video: z.number() }),
  /** At or below this balance the user is warned (and emailed once). */
  lowBalance: z.number(),
})
export type PacksResponse = z.infer<typeof PacksResponse>

/** Where to send the user to pay: Stripe Checkout, or the server's test checkout in development. */
export const CheckoutResponse = z.object({ url: z.string() })
