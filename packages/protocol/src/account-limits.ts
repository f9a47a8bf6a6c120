/** Shortest password a new password account may have, in characters. */
export const MIN_PASSWORD_LENGTH = 8

/** Minutes a password reset link works (once). */
export const PASSWORD_RESET_MINUTES = 30
