/** Largest attachment, in bytes (checked by the client before uploading). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

/** Longest message text, in characters. */
export const MAX_TEXT_LENGTH = 20_000

/** Size limits the server enforces. */
export const LIMITS = {
  nameLength: 100,
  emailLength: 254,
  passwordMin: 8,
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
  passwordResetMinutes: 30,
} as const
