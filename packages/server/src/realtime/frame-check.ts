import { REALTIME_EVENTS, type RealtimeEvent } from '@suportra/protocol'
import type { Context } from '../context.js'
import { checksResponses, type Mismatch, mismatchOf, plainMismatch, shapeOf } from '../protocol-check.js'

/**
 * In development and tests (`checksResponses`), a check of every frame the hub sends against
 * `REALTIME_EVENTS`: it returns the frame to send, which for a frame that does not match is an
 * `error` event (`server`, naming the event and the issues) in its place, and logs the mismatch
 * (issues and the frame's shape, never its values). The client then raises that error and never
 * sees the wrong frame, so the test waiting for it fails. Undefined when the check is off.
 */
export function frameCheck(ctx: Context): ((data: string) => string) | undefined {
  if (!checksResponses(ctx.config)) return undefined
  // One broadcast is one string written to many sockets: check it once.
  let last: { data: string; result: string } | undefined
  return (data) => {
    if (last?.data === data) return last.result
    const result = checkFrame(ctx, data)
    last = { data, result }
    return result
  }
}

function checkFrame(ctx: Context, data: string): string {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return refused(ctx, 'frame', plainMismatch('the frame is not valid JSON'), undefined)
  }
  const type = (value as { type?: unknown } | null)?.type
  const known = typeof type === 'string' && Object.hasOwn(REALTIME_EVENTS, type)
  if (!known) return refused(ctx, String(type), plainMismatch('unknown event type'), value)
  const mismatch = mismatchOf(REALTIME_EVENTS[type as RealtimeEvent['type']], value, ['type'])
  return mismatch ? refused(ctx, type, mismatch, value) : data
}

function refused(ctx: Context, type: string, mismatch: Mismatch, value: unknown): string {
  ctx.log.error(
    { event: type, issues: mismatch.issues, shape: shapeOf(value) },
    'realtime frame does not match the protocol',
  )
  const message = `Frame does not match the protocol: ${type}: ${mismatch.summary}`
  return JSON.stringify({ type: 'error', code: 'server', message } satisfies RealtimeEvent)
}
