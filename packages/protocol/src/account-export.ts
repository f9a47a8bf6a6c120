/**
 * `GET /v1/account/export`: everything stored about the caller (the right of access). Apart from
 * responses.ts because the client never reads it: esbuild keeps every schema of a module the client
 * imports, used or not, and this one cost the client over 300 bytes (past its 12 kB budget).
 */
import * as z from 'zod/mini'
import { Attachment, JsonObject, Message, Session, Transaction, User } from './models.js'

/** The records that have no model of their own (sign-ins, audits, purchases, …) are checked as objects only. */
export const AccountExportResponse = z.object({
  exportedAt: z.number(),
  user: z.extend(User, { ageConfirmedAt: z.nullable(z.number()) }),
  sessions: z.array(z.extend(Session, { messages: z.array(Message) })),
  attachments: z.array(Attachment),
  transactions: z.array(Transaction),
  signIns: z.array(JsonObject),
  audits: z.array(JsonObject),
  purchases: z.array(JsonObject),
  passwordResets: z.array(JsonObject),
  emails: z.array(JsonObject),
  /** Every time staff read one of the user's transcripts: session, who, why, when (issue 23). */
  staffAccess: z.optional(z.array(JsonObject)),
})
