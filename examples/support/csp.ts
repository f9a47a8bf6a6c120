/**
 * A strict policy for the example pages: scripts and styles only from known origins, nothing inline, no
 * eval. %SUPORTRA_URL% and %SUPORTRA_WS% are filled in by the host server.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' %SUPORTRA_URL%",
  "style-src 'self'",
  "connect-src 'self' %SUPORTRA_URL% %SUPORTRA_WS%",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')
