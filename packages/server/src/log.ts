import { type DestinationStream, type Logger, pino } from 'pino'

export type { Logger }

/**
 * Structured JSON logs. Call sites log ids, routes and outcomes only; the redact list is a second
 * line of defence so a password, token or message body can never reach the output by accident.
 */
export function createLogger(
  level: string = process.env.SUPORTRA_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'suportra-server' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'accessToken',
        '*.accessToken',
        'refreshToken',
        '*.refreshToken',
        'identitySecret',
        '*.identitySecret',
        'secret',
        '*.secret',
        'jwtSecret',
        '*.jwtSecret',
        'content',
        '*.content',
        'topic',
        '*.topic',
        'context',
        '*.context',
        'blockers',
        '*.blockers',
        'building',
        '*.building',
        'body',
        '*.body',
        'text',
        '*.text',
        'headers.authorization',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
