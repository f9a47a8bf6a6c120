import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { CONTEXT_LIMITS, ERROR_CODES, ERROR_STATUS, LIMITS } from '@suportra/protocol'

/** Codes the server may send (`network` and `protocol` are the client's own). */
const SERVER_ERROR_CODES = ERROR_CODES.filter((code) => code !== 'network' && code !== 'protocol')

import {
  type ApiResult,
  api,
  createUser,
  DEMO,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// ---- helpers ----

type Auth = 'owner' | 'poor' | 'builder' | 'app' | 'none'
interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  auth: Auth
  /** A body the endpoint accepts; generic cases break it one way at a time. */
  valid?: Record<string, unknown>
  /** The endpoint takes no body: junk ones are refused before anything changes. */
  noBody?: true
}
interface Case {
  name: string
  status: number
  body?: unknown
  raw?: string | Uint8Array
  type?: string
  query?: string
  headers?: Record<string, string>
  auth?: Auth
}

/**
 * Every table of the schema, with its key. (PostgreSQL's `rate_limits` counters are left out on
 * purpose: counting a refused attempt is what they are for.)
 */
const TABLES = {
  settings: 'key',
  apps: 'id',
  users: 'id',
  refresh_families: 'id',
  refresh_tokens: 'token_hash',
  sessions: 'id',
  messages: 'id',
  attachments: 'id',
  ledger: 'id',
  audits: 'id',
  purchases: 'id',
  stripe_events: 'id',
  emails: 'id',
  password_resets: 'id',
} as const
/** The error code the server must use with each status (413 and 415 are `validation` too). */
const CODE_OF: Record<number, string> = {
  ...Object.fromEntries(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code])),
  413: 'validation',
  415: 'validation',
}
const long = (n: number, char = 'x') => char.repeat(n)
/** A start request whose context nests `depth` arrays: ~10 KB of JSON, deep enough to overflow a recursive walk. */
const deeplyNested = (depth: number) =>
  `{"tool":"cursor","topic":"Help","context":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`

let server: TestServer
const tokens: Record<string, string> = {}
/** Ids created in beforeAll; `:name` in a path or a body string is replaced by `ids.name`. */
const ids: Record<string, string> = {}

const fill = (value: unknown): unknown =>
  typeof value === 'string'
    ? value.replace(/^:(\w+)$/, (m, k: string) => ids[k] ?? m)
    : Array.isArray(value)
      ? value.map(fill)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]))
        : value

/** Every stored row the API can write, plus the attachment files on disk. */
async function snapshot() {
  const { store, filesDir } = server.current.context
  const tables: Record<string, { count: number; rows: unknown[] }> = {}
  for (const [table, key] of Object.entries(TABLES)) {
    const rows = await store.db
      .selectFrom(table as 'users')
      .selectAll()
      .orderBy(key as 'id')
      .execute()
    tables[table] = { count: rows.length, rows }
  }
  return { tables, files: existsSync(filesDir) ? readdirSync(filesDir).sort() : [] }
}

function send(endpoint: Endpoint, c: Case): Promise<ApiResult> {
  const auth = c.auth ?? endpoint.auth
  const path = endpoint.path.replace(/:(\w+)/g, (m, k: string) => ids[k] ?? m) + (c.query ?? '')
  const headers: Record<string, string> = { ...c.headers }
  if (c.raw !== undefined || c.type) headers['content-type'] = c.type ?? 'application/json'
  return api(server.url, endpoint.method, path, {
    headers,
    ...(auth === 'app' ? { app: DEMO.appId } : auth !== 'none' && { token: tokens[auth] }),
    ...(c.raw !== undefined ? { raw: c.raw as BodyInit } : c.body !== undefined && { body: fill(c.body) }),
  })
}

/** The request is refused with the expected 4xx and a well-formed error, and nothing stored changed. */
async function expectRefused(endpoint: Endpoint, c: Case) {
  const before = await snapshot()
  const result = await send(endpoint, c)
  expect({ status: result.status, body: result.body }).toMatchObject({
    status: c.status,
    body: { error: { code: CODE_OF[c.status], message: expect.any(String) } },
  })
  expect(SERVER_ERROR_CODES).toContain(result.body.error.code)
  expect(await snapshot()).toEqual(before)
}

// ---- endpoints and cases ----

const ENDPOINTS = {
  signUp: {
    method: 'POST',
    path: '/v1/auth/sign-up',
    auth: 'app',
    valid: { name: 'New', email: 'new@example.com', password: 'long-enough', ageConfirmed: true },
  },
  signIn: {
    method: 'POST',
    path: '/v1/auth/sign-in',
    auth: 'app',
    valid: { email: DEMO.user.email, password: DEMO.user.password },
  },
  identify: { method: 'POST', path: '/v1/auth/identify', auth: 'app', valid: { token: 'x' } },
  passwordReset: {
    method: 'POST',
    path: '/v1/auth/password-reset',
    auth: 'app',
    valid: { email: DEMO.user.email, url: 'http://localhost:5173/app' },
  },
  passwordResetConfirm: {
    method: 'POST',
    path: '/v1/auth/password-reset/confirm',
    auth: 'app',
    valid: { token: 'not-a-token', password: 'long-enough' },
  },
  updateAccount: {
    method: 'POST',
    path: '/v1/account',
    auth: 'owner',
    valid: { name: 'New name', password: DEMO.user.password },
  },
  refresh: { method: 'POST', path: '/v1/auth/refresh', auth: 'none', valid: { refreshToken: 'rt_x' } },
  signOut: { method: 'POST', path: '/v1/auth/sign-out', auth: 'none', valid: { refreshToken: 'rt_x' } },
  startSession: {
    method: 'POST',
    path: '/v1/sessions',
    auth: 'owner',
    valid: { tool: 'cursor', topic: 'Help' },
  },
  rate: { method: 'POST', path: '/v1/sessions/:closed/rating', auth: 'owner', valid: { score: 4 } },
  read: { method: 'POST', path: '/v1/sessions/:active/read', auth: 'owner', valid: { seq: 1 } },
  sendMessage: {
    method: 'POST',
    path: '/v1/sessions/:active/messages',
    auth: 'owner',
    valid: { id: 'cid_valid_0001', text: 'hi' },
  },
  audit: {
    method: 'POST',
    path: '/v1/audits',
    auth: 'none',
    valid: { email: 'a@example.com', building: 'An app', tools: ['cursor'], blockers: '' },
  },
  checkout: {
    method: 'POST',
    path: '/v1/credits/checkout',
    auth: 'owner',
    valid: {
      packId: 'pack_3',
      successUrl: 'http://localhost:5173/ok',
      cancelUrl: 'http://localhost:5173/no',
    },
  },
  listMessages: { method: 'GET', path: '/v1/sessions/:active/messages', auth: 'owner' },
  cancel: { method: 'POST', path: '/v1/sessions/:waiting/cancel', auth: 'owner', noBody: true },
  close: { method: 'POST', path: '/v1/sessions/:active/close', auth: 'owner', noBody: true },
  typing: { method: 'POST', path: '/v1/sessions/:active/typing', auth: 'owner', noBody: true },
  video: { method: 'POST', path: '/v1/sessions/:active/video', auth: 'owner', noBody: true },
  claim: { method: 'POST', path: '/v1/builder/sessions/:waiting/claim', auth: 'builder', noBody: true },
  deleteTranscript: {
    method: 'DELETE',
    path: '/v1/sessions/:closed/transcript',
    auth: 'owner',
    noBody: true,
  },
  upload: { method: 'POST', path: '/v1/sessions/:active/attachments', auth: 'owner' },
} satisfies Record<string, Endpoint>
type Key = keyof typeof ENDPOINTS

/** Broken in the same ways for every JSON endpoint. */
const genericCases = (valid: Record<string, unknown>): Case[] => [
  { name: 'bad JSON', raw: '{"oops":', status: 400 },
  { name: 'an empty body', raw: '', status: 400 },
  { name: 'Content-Type text/plain', raw: JSON.stringify(valid), type: 'text/plain', status: 415 },
  { name: 'an array instead of an object', body: [valid], status: 400 },
  { name: 'null', body: null, status: 400 },
  { name: 'a number', body: 42, status: 400 },
  { name: 'an unknown extra field', body: { ...valid, extra: true }, status: 400 },
  { name: 'a body over 512 KB', body: { ...valid, pad: long(LIMITS.jsonBodyBytes) }, status: 413 },
]

/** Junk sent to endpoints that take no body (none, an empty one or `{}` is fine). */
const noBodyCases: Case[] = [
  { name: 'a JSON object with a field', body: { force: true }, status: 400 },
  { name: 'bad JSON', raw: '{"oops":', status: 400 },
  { name: 'an array', body: [], status: 400 },
  { name: 'a number', body: 42, status: 400 },
  { name: 'plain text', raw: 'please', type: 'text/plain', status: 400 },
  { name: 'a body over 512 KB', raw: long(LIMITS.jsonBodyBytes + 1), type: 'text/plain', status: 413 },
]

type Row = [key: Key, name: string, status: number, body?: unknown, extra?: Omit<Case, 'name' | 'status'>]
const pw = 'long-enough'
const msg = (id: string, fields: Record<string, unknown>) => ({ id, ...fields })
const audit = (fields: Record<string, unknown>) => ({
  email: 'a@example.com',
  building: 'x',
  tools: [],
  blockers: '',
  ...fields,
})

// biome-ignore format: one case per line reads as a table
const SPECIFIC: Row[] = [
  // auth
  ['signUp', 'password shorter than 8', 400, { name: 'N', email: 'n1@example.com', password: 'short' }],
  ['signUp', 'password longer than 200', 400, { name: 'N', email: 'n2@example.com', password: long(201) }],
  ['signUp', 'bad email', 400, { name: 'N', email: 'not-an-email', password: pw }],
  ['signUp', 'email over 254', 400, { name: 'N', email: `${long(250)}@x.io`, password: pw }],
  ['signUp', 'email as a number', 400, { name: 'N', email: 42, password: pw }],
  ['signUp', 'whitespace-only name', 400, { name: '   ', email: 'n3@example.com', password: pw }],
  ['signUp', 'name over 100', 400, { name: long(101), email: 'n4@example.com', password: pw }],
  ['signUp', 'missing name', 400, { email: 'n5@example.com', password: pw }],
  ['signUp', 'existing email', 409, { name: 'N', email: DEMO.user.email, password: pw, ageConfirmed: true }],
  ['signUp', 'existing email in other case', 409, { name: 'N', email: 'ADA@Example.COM', password: pw, ageConfirmed: true }],
  ['signUp', 'no 16+ confirmation', 400, { name: 'N', email: 'n7@example.com', password: pw }],
  ['signUp', 'the 16+ confirmation false', 400, { name: 'N', email: 'n8@example.com', password: pw, ageConfirmed: false }],
  ['signUp', 'the 16+ confirmation as a string', 400, { name: 'N', email: 'n9@example.com', password: pw, ageConfirmed: 'yes' }],
  ['signUp', 'no X-Suportra-App header', 400, { name: 'N', email: 'n6@example.com', password: pw }, { auth: 'none' }],
  ['signIn', 'wrong password', 401, { email: DEMO.user.email, password: 'wrong-password' }],
  ['signIn', 'unknown email', 401, { email: 'nobody@example.com', password: 'whatever1' }],
  ['signIn', 'empty password', 400, { email: DEMO.user.email, password: '' }],
  ['signIn', 'password as a number', 400, { email: DEMO.user.email, password: 12345678 }],
  ['identify', 'empty token', 400, { token: '' }],
  ['identify', 'token as a number', 400, { token: 7 }],
  ['identify', 'token over 4096', 400, { token: long(4097) }],
  ['identify', 'token that is not a JWT', 401, { token: 'garbage' }],
  ['passwordReset', 'bad email', 400, { email: 'nope', url: 'http://localhost:5173/' }],
  ['passwordReset', 'email as an array', 400, { email: [DEMO.user.email], url: 'http://localhost:5173/' }],
  ['passwordReset', 'no url', 400, { email: DEMO.user.email }],
  ['passwordReset', 'a url that is not a URL', 400, { email: DEMO.user.email, url: 'home' }],
  ['passwordReset', 'a javascript: url', 400, { email: DEMO.user.email, url: 'javascript:alert(1)' }],
  ['passwordReset', 'a data: url', 400, { email: DEMO.user.email, url: 'data:text/html,<h1>x' }],
  ['passwordReset', 'a url over 2048', 400, { email: DEMO.user.email, url: `http://localhost:5173/${long(2048)}` }],
  ['passwordReset', 'a url on a foreign origin', 403, { email: DEMO.user.email, url: 'https://evil.example/reset' }],
  ['passwordReset', 'a url on a look-alike origin', 403, { email: DEMO.user.email, url: 'http://localhost.evil.example:5173/' }],
  ['passwordReset', 'no X-Suportra-App header', 400, { email: DEMO.user.email, url: 'http://localhost:5173/' }, { auth: 'none' }],
  ['passwordResetConfirm', 'an unknown token', 400, { token: 'unknown-token', password: pw }],
  ['passwordResetConfirm', 'an empty token', 400, { token: '', password: pw }],
  ['passwordResetConfirm', 'a token over 128', 400, { token: long(129), password: pw }],
  ['passwordResetConfirm', 'a token as a number', 400, { token: 12345, password: pw }],
  ['passwordResetConfirm', 'a new password shorter than 8', 400, { token: 'unknown-token', password: 'short' }],
  ['passwordResetConfirm', 'a new password over 200', 400, { token: 'unknown-token', password: long(201) }],
  ['passwordResetConfirm', 'no password', 400, { token: 'unknown-token' }],
  ['refresh', 'empty refresh token', 400, { refreshToken: '' }],
  ['refresh', 'unknown refresh token', 401, { refreshToken: 'rt_unknown' }],
  ['signOut', 'refresh token as a number', 400, { refreshToken: 5 }],
  // sessions
  ['startSession', 'topic as a number', 400, { tool: 'cursor', topic: 42 }],
  ['startSession', 'tool as a number', 400, { tool: 1, topic: 'Help' }],
  ['startSession', 'empty topic', 400, { tool: 'cursor', topic: '' }],
  ['startSession', 'whitespace-only topic', 400, { tool: 'cursor', topic: ' \n\t ' }],
  ['startSession', 'topic over 500', 400, { tool: 'cursor', topic: long(LIMITS.topicLength + 1) }],
  ['startSession', 'missing topic', 400, { tool: 'cursor' }],
  ['startSession', 'missing tool', 400, { topic: 'Help' }],
  ['startSession', 'unknown tool', 400, { tool: 'emacs', topic: 'Help' }],
  ['startSession', 'unknown kind', 400, { tool: 'cursor', topic: 'Help', kind: 'audio' }],
  ['startSession', 'context as an array', 400, { tool: 'cursor', topic: 'Help', context: [1] }],
  ['startSession', 'context as a string', 400, { tool: 'cursor', topic: 'Help', context: 'url' }],
  ['startSession', 'context null', 400, { tool: 'cursor', topic: 'Help', context: null }],
  ['startSession', 'an unknown context part', 400, { tool: 'cursor', topic: 'Help', context: { log: 'x' } }],
  ['startSession', 'a context part over its limit', 400, { tool: 'cursor', topic: 'Help', context: { diff: long(CONTEXT_LIMITS.content + 1) } }],
  [
    'startSession',
    'a context over 256 KB in total',
    413,
    {
      tool: 'cursor',
      topic: 'Help',
      context: { diff: long(CONTEXT_LIMITS.content), terminal: long(CONTEXT_LIMITS.terminal), file: { path: 'a', content: long(CONTEXT_LIMITS.content) }, selection: long(CONTEXT_LIMITS.selection) },
    },
  ],
  ['startSession', 'deeply nested context', 400, undefined, { raw: deeplyNested(5_000) }],
  ['startSession', 'a 5 MB body', 413, { tool: 'cursor', topic: 'Help', pad: long(5 * 1024 * 1024) }],
  ['startSession', 'invalid Idempotency-Key', 400, { tool: 'cursor', topic: 'Help' }, { headers: { 'idempotency-key': 'not valid!' } }],
  ['startSession', 'too short Idempotency-Key', 400, { tool: 'cursor', topic: 'Help' }, { headers: { 'idempotency-key': 'abc' } }],
  ['startSession', 'no credits', 402, { tool: 'cursor', topic: 'Help' }, { auth: 'poor' }],
  ['rate', 'score 0', 400, { score: 0 }],
  ['rate', 'score 6', 400, { score: 6 }],
  ['rate', 'score 2.5', 400, { score: 2.5 }],
  ['rate', 'score as a string', 400, { score: '5' }],
  ['rate', 'missing score', 400, {}],
  ['rate', 'comment over 2000', 400, { score: 5, comment: long(LIMITS.ratingCommentLength + 1) }],
  ['rate', 'comment as an object', 400, { score: 5, comment: { text: 'x' } }],
  ['read', 'seq -1', 400, { seq: -1 }],
  ['read', 'seq 1.5', 400, { seq: 1.5 }],
  ['read', 'seq as a string', 400, { seq: '3' }],
  ['read', 'missing seq', 400, {}],
  // messages
  ['sendMessage', 'client id too short', 400, msg('abc', { text: 'hi' })],
  ['sendMessage', 'client id with bad characters', 400, msg('hello world!', { text: 'hi' })],
  ['sendMessage', 'client id over 64', 400, msg(long(65, 'a'), { text: 'hi' })],
  ['sendMessage', 'client id as a number', 400, { id: 12345678, text: 'hi' }],
  ['sendMessage', 'missing client id', 400, { text: 'hi' }],
  ['sendMessage', 'no text, code or attachment', 400, msg('cid_empty_0001', {})],
  ['sendMessage', 'whitespace-only text', 400, msg('cid_blank_0001', { text: '  \n ' })],
  ['sendMessage', 'text as a number', 400, msg('cid_num_00001', { text: 5 })],
  ['sendMessage', 'text over 20000', 400, msg('cid_long_0001', { text: long(LIMITS.textLength + 1) })],
  ['sendMessage', 'code as a string', 400, msg('cid_code_0001', { code: 'x = 1' })],
  ['sendMessage', 'empty code', 400, msg('cid_code_0002', { code: { language: 'js', content: '' } })],
  ['sendMessage', 'bad code language', 400, msg('cid_code_0003', { code: { language: 'c c', content: 'x' } })],
  ['sendMessage', 'code with an extra field', 400, msg('cid_code_0004', { code: { language: 'js', content: 'x', run: true } })],
  ['sendMessage', 'attachmentIds as a string', 400, msg('cid_att_00001', { attachmentIds: ':attFresh' })],
  ['sendMessage', 'more than 10 attachments', 400, msg('cid_att_00002', { attachmentIds: Array.from({ length: 11 }, (_, i) => `att_${i}`) })],
  ['sendMessage', "attachment of the user's other session", 400, msg('cid_att_00003', { attachmentIds: [':attOtherSession'] })],
  ['sendMessage', "another user's attachment", 400, msg('cid_att_00004', { attachmentIds: [':attOtherUser'] })],
  ['sendMessage', "the builder's attachment", 400, msg('cid_att_00005', { attachmentIds: [':attBuilder'] })],
  ['sendMessage', 'an attachment already sent', 400, msg('cid_att_00006', { attachmentIds: [':attUsed'] })],
  ['sendMessage', 'an attachment that does not exist', 400, msg('cid_att_00007', { attachmentIds: ['att_nope'] })],
  ['sendMessage', "own attachment plus another user's", 400, msg('cid_att_00008', { attachmentIds: [':attFresh', ':attOtherUser'] })],
  ['sendMessage', 'client id already used in another session', 409, msg(':usedClientId', { text: 'again' })],
  ['sendMessage', 'valid code but a body over 512 KB in bytes (multibyte)', 413, msg('cid_euro_0001', { code: { language: 'txt', content: long(180_000, '€') } })],
  ['listMessages', 'limit=0', 400, undefined, { query: '?limit=0' }],
  ['listMessages', 'limit=abc', 400, undefined, { query: '?limit=abc' }],
  ['listMessages', 'limit=201', 400, undefined, { query: '?limit=201' }],
  ['listMessages', 'limit=1.5', 400, undefined, { query: '?limit=1.5' }],
  ['listMessages', 'before=-1', 400, undefined, { query: '?before=-1' }],
  ['listMessages', 'before=0', 400, undefined, { query: '?before=0' }],
  ['listMessages', 'after=-1', 400, undefined, { query: '?after=-1' }],
  ['listMessages', 'an unknown query parameter', 400, undefined, { query: '?page=2' }],
  // (Connection: close — the server drops the socket ~500 ms after this 413 without announcing it; see report)
  ['upload', 'a file over 10 MB', 413, undefined, { query: '?name=big.bin', raw: new Uint8Array(LIMITS.attachmentBytes + 1), type: 'application/octet-stream', headers: { connection: 'close' } }],
  ['upload', 'an empty file', 400, undefined, { query: '?name=empty.txt', raw: '', type: 'text/plain' }],
  // checkout
  ['checkout', 'an unknown pack', 400, { packId: 'pack_999', successUrl: 'http://localhost:5173/ok', cancelUrl: 'http://localhost:5173/no' }],
  ['checkout', 'packId as a number', 400, { packId: 3, successUrl: 'http://localhost:5173/ok', cancelUrl: 'http://localhost:5173/no' }],
  ['checkout', 'successUrl that is not a URL', 400, { packId: 'pack_3', successUrl: 'paid', cancelUrl: 'http://localhost:5173/no' }],
  ['checkout', 'missing cancelUrl', 400, { packId: 'pack_3', successUrl: 'http://localhost:5173/ok' }],
  ['checkout', 'successUrl on a foreign origin', 403, { packId: 'pack_3', successUrl: 'https://evil.example/ok', cancelUrl: 'http://localhost:5173/no' }],
  ['checkout', 'a javascript: cancelUrl', 403, { packId: 'pack_3', successUrl: 'http://localhost:5173/ok', cancelUrl: 'javascript:alert(1)' }],
  // account
  ['updateAccount', 'the wrong password', 403, { name: 'Mallory', password: 'wrong-password' }],
  ['updateAccount', 'no password', 400, { name: 'Mallory' }],
  ['updateAccount', 'an empty password', 400, { name: 'Mallory', password: '' }],
  ['updateAccount', 'neither name nor email', 400, { password: DEMO.user.password }],
  ['updateAccount', 'a whitespace-only name', 400, { name: '  ', password: DEMO.user.password }],
  ['updateAccount', 'a name over 100', 400, { name: long(101), password: DEMO.user.password }],
  ['updateAccount', 'a bad email', 400, { email: 'nope', password: DEMO.user.password }],
  ['updateAccount', 'an email over 254', 400, { email: `${long(250)}@x.io`, password: DEMO.user.password }],
  ['updateAccount', 'name as null', 400, { name: null, password: DEMO.user.password }],
  ['updateAccount', "another account's email", 409, { email: DEMO.builder.email, password: DEMO.user.password }],
  ['updateAccount', "another account's email in other case", 409, { email: 'GRACE@example.com', password: DEMO.user.password }],
  ['updateAccount', 'as a builder with a user’s email', 409, { email: DEMO.user.email, password: DEMO.builder.password }, { auth: 'builder' }],
  // audits
  ['audit', 'bad email', 400, audit({ email: 'nope' })],
  ['audit', 'whitespace-only building', 400, audit({ building: ' ' })],
  ['audit', 'tools as a string', 400, audit({ tools: 'cursor' })],
  ['audit', 'more than 20 tools', 400, audit({ tools: Array(21).fill('t') })],
]

const ALL: [Key, Case][] = [
  ...(Object.entries(ENDPOINTS) as [Key, Endpoint][]).flatMap(([key, endpoint]) =>
    endpoint.valid ? genericCases(endpoint.valid).map((c): [Key, Case] => [key, c]) : [],
  ),
  ...(Object.entries(ENDPOINTS) as [Key, Endpoint][]).flatMap(([key, endpoint]) =>
    endpoint.noBody ? noBodyCases.map((c): [Key, Case] => [key, c]) : [],
  ),
  ...SPECIFIC.map(([key, name, status, body, extra]): [Key, Case] => [key, { name, status, body, ...extra }]),
]

// ---- setup ----

beforeAll(async () => {
  server = await startTestServer({
    rateLimits: {
      auth: { points: 10_000, duration: 60 },
      auditsPerIp: { points: 10_000, duration: 60 },
      passwordResetsPerIp: { points: 10_000, duration: 60 },
      passwordResetsPerEmail: { points: 10_000, duration: 60 },
      passwordResetConfirms: { points: 10_000, duration: 60 },
      accountPasswordFailures: { points: 10_000, duration: 60 },
    },
  })
  const owner = await createUser(server, { credits: 20 })
  const other = await createUser(server, { credits: 5 })
  tokens.owner = owner.accessToken
  tokens.poor = (await createUser(server)).accessToken
  const grace = (await signIn(server.url, DEMO.builder.email)).accessToken
  tokens.builder = grace
  const as = (token: string | undefined, method: string, path: string, body?: unknown, raw?: string) =>
    api(server.url, method, path, { token, body, ...(raw !== undefined && { raw }) }).then((r) => {
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body
    })
  const start = async (token?: string) =>
    (await as(token, 'POST', '/v1/sessions', { tool: 'cursor', topic: 'Fixture' })).session.id as string
  const upload = async (token: string | undefined, sessionId: string) =>
    (await as(token, 'POST', `/v1/sessions/${sessionId}/attachments?name=f.txt`, undefined, 'data'))
      .attachment.id as string

  ids.active = await start(owner.accessToken)
  await as(grace, 'POST', `/v1/builder/sessions/${ids.active}/claim`)
  ids.closed = await start(owner.accessToken)
  await as(grace, 'POST', `/v1/builder/sessions/${ids.closed}/claim`)
  await as(owner.accessToken, 'POST', `/v1/sessions/${ids.closed}/close`)
  const otherSession = await start(owner.accessToken)
  ids.attOtherSession = await upload(owner.accessToken, otherSession)
  ids.usedClientId = 'cid_used_elsewhere'
  await as(owner.accessToken, 'POST', `/v1/sessions/${otherSession}/messages`, {
    id: ids.usedClientId,
    text: 'x',
  })
  ids.attOtherUser = await upload(other.accessToken, await start(other.accessToken))
  ids.attBuilder = await upload(grace, ids.active)
  ids.attUsed = await upload(owner.accessToken, ids.active)
  await as(owner.accessToken, 'POST', `/v1/sessions/${ids.active}/messages`, {
    id: 'cid_fixture_01',
    attachmentIds: [ids.attUsed],
  })
  ids.attFresh = await upload(owner.accessToken, ids.active)
  ids.waiting = await start(owner.accessToken)
  // The outbox marks queued emails as kept on its own schedule: let it finish, then stop it, so
  // that the emails table changes only through the requests under test.
  await server.current.mailer.flush()
  await server.current.mailer.stop()
})
afterAll(() => server.close())

// ---- tests ----

describe.each(Object.keys(ENDPOINTS) as Key[])('%s', (key) => {
  const endpoint: Endpoint = ENDPOINTS[key]
  const cases = ALL.filter(([k]) => k === key).map(([, c]) => c)
  for (const c of cases) {
    test(`${endpoint.method} ${endpoint.path} with ${c.name} → ${c.status}, nothing stored`, () =>
      expectRefused(endpoint, c))
  }
})

test('the fixtures are usable: a valid checkout is accepted', async () => {
  const result = await send(ENDPOINTS.checkout, {
    name: 'valid',
    status: 200,
    body: ENDPOINTS.checkout.valid,
  })
  expect(result.status).toBe(200)
  expect(result.body.url).toEqual(expect.any(String))
})

test('body-less endpoints take no body, an empty one or {}', async () => {
  for (const c of [{}, { raw: '' }, { body: {} }, { raw: ' {} ', type: 'application/json' }]) {
    const result = await send(ENDPOINTS.typing, { name: 'empty', status: 200, ...c })
    expect(result.status).toBe(200)
  }
})

describe('file names', () => {
  const upload = (query: string) =>
    send(ENDPOINTS.upload, { name: 'upload', status: 201, query, raw: 'data', type: 'text/plain' })
  test.each([
    ['no ?name', '', 'file'],
    ['an empty name', '?name=', 'file'],
    ['a path', `?name=${encodeURIComponent('../../etc/passwd')}`, 'passwd'],
    ['a Windows path', `?name=${encodeURIComponent('C:\\Users\\me\\.env')}`, '.env'],
    ['only dots', '?name=..', 'file'],
    ['control and format characters', `?name=${encodeURIComponent('a\u0000b\u202Ec\n.txt')}`, 'abc.txt'],
    ['quotes', `?name=${encodeURIComponent('say "hi".txt')}`, 'say hi.txt'],
    ['a name over 255 characters', `?name=${long(300, 'n')}.txt`, long(255, 'n')],
    ['unicode', `?name=${encodeURIComponent('résumé 📄.pdf')}`, 'résumé 📄.pdf'],
  ])('%s is stored under a safe name', async (_name, query, expected) => {
    const result = await upload(query)
    expect(result.status).toBe(201)
    expect(result.body.attachment.name).toBe(expected)
    // On disk, files are named by their id only: nothing the uploader chose.
    const { filesDir } = server.current.context
    expect(readdirSync(filesDir)).toContain(result.body.attachment.id)
    expect(existsSync(join(filesDir, expected))).toBe(expected === result.body.attachment.id)
  })
})

test('the fixtures are usable: a valid message with the fresh attachment is accepted', async () => {
  const result = await send(ENDPOINTS.sendMessage, {
    name: 'valid',
    status: 201,
    body: { id: 'cid_valid_0002', text: 'ok', attachmentIds: [':attFresh'] },
  })
  expect(result.status).toBe(201)
  expect(result.body.message.attachments).toHaveLength(1)
})

test('11 failed sign-ins for one email answer 429 with Retry-After, even with the right password', async () => {
  const victim = await createUser(server)
  const email = victim.user.email as string
  const before = await snapshot()
  const attempt = (password: string, i = 0) =>
    send(ENDPOINTS.signIn, {
      name: 'attempt',
      status: 401,
      // alternating case must not reset or dodge the counter
      body: { email: i % 2 ? email.toUpperCase() : email, password },
    })
  for (let i = 0; i < 10; i++) expect((await attempt('wrong-password', i)).status).toBe(401)
  for (const password of ['wrong-password', DEMO.user.password]) {
    const locked = await attempt(password)
    expect(locked.status).toBe(429)
    expect(locked.body.error.code).toBe('rate_limited')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
  }
  expect(await snapshot()).toEqual(before)
  // another account from the same address is not locked out
  expect((await signIn(server.url, DEMO.user.email)).user.email).toBe(DEMO.user.email)
})
