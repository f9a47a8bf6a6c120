/** The `type` of every event the server sends on the realtime socket (the schemas are in ./realtime.ts). */
export const REALTIME_EVENT_TYPES = [
  'ready',
  'message',
  'session',
  'typing',
  'read',
  'queue',
  'position',
  'credits',
  'continuity_lost',
  'pong',
  'reauth',
  'error',
  'availability',
] as const

/** One realtime event `type`. */
export type RealtimeEventType = (typeof REALTIME_EVENT_TYPES)[number]
