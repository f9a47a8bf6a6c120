/** Close codes the server uses on the realtime socket. */
export const CLOSE_CODES = {
  /** The server is shutting down or restarting: reconnect. */
  goingAway: 1001,
  /** The server is restarting (graceful shutdown, SIGTERM): reconnect, to another instance if there is one. */
  serviceRestart: 1012,
  /** A frame that is not part of the protocol. */
  protocolError: 4000,
  /** The access token is missing, invalid or expired: refresh it, then reconnect. */
  unauthorized: 4001,
  /** The sign-in was revoked (sign-out, refresh token reuse, account deleted): do not reconnect. */
  revoked: 4003,
  /** No `auth` frame arrived in time. */
  authTimeout: 4008,
  /** Too many sockets (per user or per IP) or too many frames: reconnect slowly. */
  rateLimited: 4029,
} as const
