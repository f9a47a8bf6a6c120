import { ErrorBody } from '@suportra/protocol'
import * as z from 'zod/mini'
import { RESPONSE_SCHEMAS } from '../http/response-schemas.js'
import { type Access, OPERATIONS, type Operation, WEBHOOKS } from './operations.js'

type Json = Record<string, unknown>

/** A zod schema as JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Refinements and coercions have no JSON Schema: the shape is still described.
    unrepresentable: 'any',
  }) as Json
  return rest
}

const SECURITY: Record<Access, Json[] | undefined> = {
  public: [],
  app: [{ app: [] }],
  user: [{ bearer: [] }],
  builder: [{ bearer: [] }],
  server: [{ serverKey: [] }],
  metrics: [{ metricsToken: [] }],
  stripe: [],
  dev: [],
}

/** `/v1/sessions/:id` → `/v1/sessions/{id}`, `/widget/:file{…}` → `/widget/{file}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\}+)?/g, '{$1}')

function operation(key: string, op: Operation): Json {
  const [method = '', path = ''] = key.split(' ')
  const parameters: Json[] = [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }))
  if (op.query) {
    const query = jsonSchema(op.query, 'input') as { properties?: Record<string, Json>; required?: string[] }
    for (const [name, schema] of Object.entries(query.properties ?? {}))
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema })
  }
  if (path === '/v1/availability')
    parameters.push({ name: 'tool', in: 'query', required: false, schema: { type: 'string' } })
  if (
    (method === 'POST' && (path === '/v1/sessions' || path.endsWith('/checkout'))) ||
    (op.access === 'server' && method === 'POST')
  )
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } })
  const response = RESPONSE_SCHEMAS[key]
  const success =
    response && !('exempt' in response)
      ? { content: { 'application/json': { schema: jsonSchema(response, 'output') } } }
      : op.media
        ? { content: { [op.media]: {} } }
        : {}
  return {
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(SECURITY[op.access] && { security: SECURITY[op.access] }),
    ...(parameters.length > 0 && { parameters }),
    ...(op.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
      },
    }),
    responses: {
      [String(op.status ?? 200)]: { description: op.summary, ...success },
      default: { $ref: '#/components/responses/Error' },
    },
  }
}

/**
 * The OpenAPI 3.1 document of the API, generated from the protocol's zod schemas (`OPERATIONS` for
 * each route's request, `RESPONSE_SCHEMAS` for its answer, `WEBHOOKS` for what the server sends).
 * Served at `GET /openapi.json`.
 */
export function openApiDocument(serverUrl?: string): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const [key, op] of Object.entries(OPERATIONS)) {
    const [method = '', path = ''] = key.split(' ')
    const at = openApiPath(path)
    paths[at] = { ...paths[at], [method.toLowerCase()]: operation(key, op) }
  }
  const webhooks = Object.fromEntries(
    Object.entries(WEBHOOKS).map(([type, hook]) => [
      type,
      {
        post: {
          summary: hook.summary,
          requestBody: { content: { 'application/json': { schema: jsonSchema(hook.payload, 'output') } } },
          responses: { '200': { description: 'Received (any 2xx)' } },
        },
      },
    ]),
  )
  return {
    openapi: '3.1.0',
    info: {
      title: 'Suportra API',
      version: '1',
      description:
        'The Suportra reference server. Errors are `{ error: { code, message, details? } }`. Realtime: a WebSocket at `/v1/realtime` (see docs/protocol.md).',
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    paths,
    webhooks,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An access token from /v1/auth/*' },
        app: { type: 'apiKey', in: 'header', name: 'X-Suportra-App', description: 'Your app id' },
        serverKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A server key (sk_…) of your app: `suportra-server apps keys create`; backends only',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'SUPORTRA_METRICS_TOKEN' },
      },
      responses: {
        Error: {
          description: 'A failure: its `code` says which',
          content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } },
        },
      },
    },
  }
}
