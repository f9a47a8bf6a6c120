import type { Apps } from './apps/apps.js'
import type { TokenService } from './auth/tokens.js'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import type { Logger } from './log.js'
import type { Metrics } from './ops/metrics.js'
import type { Background, InFlight } from './ops/shutdown.js'
import type { RateLimiters } from './rate-limit.js'
import type { EventBus } from './realtime/bus.js'
import type { FileStore } from './storage/files.js'

/** Everything a request handler may use; built once per server. */
export interface Context {
  config: Config
  store: Database
  log: Logger
  bus: EventBus
  tokens: TokenService
  apps: Apps
  limits: RateLimiters
  /** Folder holding attachment files when `files` is the disk store. */
  filesDir: string
  /** Attachment contents: a folder, the database or an S3 bucket (`storage/files.ts`). */
  files: FileStore
  /** Prometheus counters and histograms (`ops/metrics.ts`); add your own to `metrics.registry`. */
  metrics: Metrics
  /** Background workers drained at shutdown (`ops/shutdown.ts`): register an outbox sender here. */
  background: Background
  /** Requests in flight, and whether shutdown has begun (`/ready` then answers 503). */
  requests: InFlight
}
