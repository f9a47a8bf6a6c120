/** @suportra/client: the headless Suportra client for browsers and Node 20+. */

export type {
  Attachment,
  CodeBlock,
  ErrorCode,
  Message,
  Pack,
  PacksResponse,
  Session,
  SessionContext,
  SessionStatus,
  Tool,
  Transaction,
  User,
} from '@suportra/protocol'
export type { Builder } from './builder/builder.js'
export { type ClientEvents, type ClientOptions, createClient, type SuportraClient } from './client.js'
export { createEmitter, type Emitter } from './core/emitter.js'
export { SuportraError } from './core/errors.js'
export { memoryStorage, type StorageLike, type StorageOption } from './core/storage.js'
export type { Credits } from './credits/credits.js'
export type {
  ConnectionChange,
  ConnectionStatus,
  WebSocketFactory,
  WebSocketLike,
} from './realtime/connection.js'
export { detectSecrets, redactSecrets, type SecretMatch } from './secrets/secrets.js'
export type { OutboxEntry } from './sessions/outbox.js'
export type { ChatMessage, SendInput, SessionHandle, Typing } from './sessions/session-handle.js'
export type { Sessions, StartInput } from './sessions/sessions.js'
