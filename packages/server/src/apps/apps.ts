import type { Database } from '../db/database.js'
import type { AppRow } from '../db/schema.js'
import { newId, newSecret } from '../ids.js'
import { originMatches } from './origins.js'

export interface App {
  id: string
  name: string
  allowedOrigins: string[]
  identitySecret: string
  /** After a rotation, the secret before it, accepted until `previousSecretExpiresAt` (epoch ms). */
  previousIdentitySecret?: string | null
  previousSecretExpiresAt?: number | null
  identityRequired: boolean
  createdAt: number
  /** Business hours as stored (JSON, `availability/hours.ts`); null: always open. */
  businessHours: string | null
}

function toApp(row: AppRow): App {
  return {
    id: row.id,
    name: row.name,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    identitySecret: row.identity_secret,
    previousIdentitySecret: row.previous_identity_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    identityRequired: row.identity_required === 1,
    createdAt: row.created_at,
    businessHours: row.business_hours,
  }
}

const CACHE_MS = 5_000

/** Apps (vendors embedding the widget), cached briefly because every request and preflight needs one. */
export class Apps {
  readonly #store: Database
  #cache: { at: number; apps: Map<string, App> } | undefined

  constructor(store: Database) {
    this.#store = store
  }

  async all(): Promise<Map<string, App>> {
    if (!this.#cache || Date.now() - this.#cache.at > CACHE_MS) {
      const rows = await this.#store.db.selectFrom('apps').selectAll().orderBy('created_at').execute()
      this.#cache = { at: Date.now(), apps: new Map(rows.map((row) => [row.id, toApp(row)])) }
    }
    return this.#cache.apps
  }

  async get(id: string): Promise<App | undefined> {
    return (await this.all()).get(id)
  }

  /** Whether any app allows `origin` (used to answer CORS preflights, which carry no app id). */
  async anyAllows(origin: string): Promise<boolean> {
    for (const app of (await this.all()).values()) if (allows(app, origin)) return true
    return false
  }

  /** Forgets the cached apps (after a change made outside `create`). */
  invalidate(): void {
    this.#cache = undefined
  }

  async create(input: {
    id?: string
    name: string
    allowedOrigins: string[]
    identityRequired?: boolean
    identitySecret?: string
  }) {
    const app: App = {
      id: input.id ?? newId('app', 9),
      name: input.name,
      allowedOrigins: input.allowedOrigins,
      identitySecret: input.identitySecret ?? newSecret(),
      identityRequired: input.identityRequired ?? false,
      createdAt: Date.now(),
      businessHours: null,
    }
    await this.#store.db
      .insertInto('apps')
      .values({
        id: app.id,
        name: app.name,
        allowed_origins: JSON.stringify(app.allowedOrigins),
        identity_secret: app.identitySecret,
        identity_required: app.identityRequired ? 1 : 0,
        created_at: app.createdAt,
      })
      .execute()
    this.#cache = undefined
    return app
  }
}

/** The identity secrets a token may be signed with now: the current one, and the previous one in its overlap window. */
export function identitySecretsOf(app: App, now = Date.now()): string[] {
  const previous = app.previousIdentitySecret
  return previous && (app.previousSecretExpiresAt ?? 0) > now
    ? [app.identitySecret, previous]
    : [app.identitySecret]
}

export function allows(app: App, origin: string): boolean {
  return app.allowedOrigins.some((pattern) => originMatches(origin, pattern))
}
