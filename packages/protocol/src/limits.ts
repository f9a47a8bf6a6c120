import { MIN_PASSWORD_LENGTH, PASSWORD_RESET_MINUTES } from './account-limits.js'
import { MAX_ATTACHMENT_BYTES, MAX_BATCH_MESSAGES, MAX_TEXT_LENGTH } from './message-limits.js'
import { MAX_PATCH_DESCRIPTION_LENGTH, MAX_PATCH_DETAIL_LENGTH, MAX_PATCH_LENGTH } from './patch-limits.js'

/** Size limits the server enforces. */
export const LIMITS = {
  nameLength: 100,
  emailLength: 254,
  passwordMin: MIN_PASSWORD_LENGTH,
  passwordMax: 200,
  topicLength: 500,
  textLength: MAX_TEXT_LENGTH,
  codeLength: 200_000,
  languageLength: 40,
  attachmentsPerMessage: 10,
  attachmentBytes: MAX_ATTACHMENT_BYTES,
  fileNameLength: 255,
  /** Largest JSON request body the server reads. */
  jsonBodyBytes: 512 * 1024,
  ratingCommentLength: 2_000,
  auditTextLength: 5_000,
  pageSize: 200,
  /** Longest URL a request may carry (checkout return pages, the page a password reset link opens). */
  urlLength: 2048,
  /** Minutes a password reset link works (once). */
  passwordResetMinutes: PASSWORD_RESET_MINUTES,
  /** Most messages one `POST /v1/sessions/{id}/messages/batch` carries (an outbox drains in these). */
  batchMessages: MAX_BATCH_MESSAGES,
  /** Largest body of a batch send (larger than `jsonBodyBytes`: it carries up to `batchMessages` messages). */
  batchBodyBytes: 2 * 1024 * 1024,
  /** A patch's unified diff, in characters. */
  patchLength: MAX_PATCH_LENGTH,
  patchDescriptionLength: MAX_PATCH_DESCRIPTION_LENGTH,
  patchDetailLength: MAX_PATCH_DETAIL_LENGTH,
} as const

/** Size limits of a session's context, per part and in total. */
export const CONTEXT_LIMITS = {
  /** The whole context as JSON, in bytes. */
  totalBytes: 256 * 1024,
  url: 2_048,
  name: 200,
  content: 100_000,
  selection: 20_000,
  stack: 20_000,
  terminal: 50_000,
  conversationTurns: 40,
  turn: 10_000,
} as const
