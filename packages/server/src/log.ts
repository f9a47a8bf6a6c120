import { type DestinationStream, type Logger, pino } from 'pino'
import pretty from 'pino-pretty'
import { currentRequestId } from './ops/request-id.js'

export type { Logger }

/**
 * Structured logs: JSON lines, or readable lines (pino-pretty) when standard output is a terminal
 * (`SUPORTRA_LOG_FORMAT=json|pretty` decides otherwise). Every line written while a request is
 * served carries its `reqId` (see `ops/request-context.ts`). Call sites log ids, routes and
 * outcomes only; the redact list is a second line of defence so a password, token or message body
 * can never reach the output by accident.
 */
export function createLogger(
  level: string = process.env.SUPORTRA_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'suportra-server' },
    mixin() {
      const reqId = currentRequestId()
      return reqId ? { reqId } : {}
    },
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
  const stream = destination ?? (prettyOutput() ? prettyStream() : undefined)
  return stream ? pino(options, stream) : pino(options)
}

function prettyOutput(): boolean {
  const format = process.env.SUPORTRA_LOG_FORMAT
  return format === 'pretty' || (format !== 'json' && process.stdout.isTTY === true)
}

/** Readable lines on standard output, in the same process (no worker thread); colours unless NO_COLOR. */
function prettyStream(): DestinationStream {
  return pretty({
    colorize: !process.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    sync: true,
    singleLine: true,
  })
}
