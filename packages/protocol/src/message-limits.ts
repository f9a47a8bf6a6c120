/** Largest attachment, in bytes: 10 MB (checked by the client before uploading). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

/** Longest message text, in characters. */
export const MAX_TEXT_LENGTH = 20_000

/** Most messages one batch send carries (`POST /v1/sessions/{id}/messages/batch`). */
export const MAX_BATCH_MESSAGES = 100
