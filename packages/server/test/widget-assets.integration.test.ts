import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// The widget's files go out compressed as built (brotli or gzip, by Accept-Encoding) and with
// validators, so a revisit costs a 304 and no body. (`pnpm build` builds the widget, which writes
// the .br and .gz files beside each script; the server serves packages/widget/dist/cdn.)

const cdn = new URL('../../widget/dist/cdn/', import.meta.url)
const core = readdirSync(new URL('widget/', cdn)).find((file) => /^core-[\w-]+\.js$/.test(file)) as string

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

/** A raw GET (fetch would decompress the body and hide what went over the wire). */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: Buffer
  }>((resolve, reject) => {
    request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
      .on('error', reject)
      .end()
  })
}

test('Accept-Encoding: br gets brotli bytes that decompress to the file; gzip and identity likewise', async () => {
  const file = readFileSync(new URL(`widget/${core}`, cdn))
  const br = await get(`/widget/${core}`, { 'accept-encoding': 'gzip, deflate, br' })
  expect(br.status).toBe(200)
  expect(br.headers['content-encoding']).toBe('br')
  expect(br.headers.vary).toMatch(/Accept-Encoding/i)
  expect(br.body.length).toBeLessThan(file.length / 2)
  expect(brotliDecompressSync(br.body).equals(file)).toBe(true)

  const gzip = await get(`/widget/${core}`, { 'accept-encoding': 'gzip' })
  expect(gzip.headers['content-encoding']).toBe('gzip')
  expect(gunzipSync(gzip.body).equals(file)).toBe(true)

  // br refused with q=0, and no Accept-Encoding at all.
  const noBr = await get(`/widget/${core}`, { 'accept-encoding': 'br;q=0, gzip;q=0.5' })
  expect(noBr.headers['content-encoding']).toBe('gzip')
  const plain = await get(`/widget/${core}`)
  expect(plain.headers['content-encoding']).toBeUndefined()
  expect(plain.body.equals(file)).toBe(true)
  // Each representation has its own validator.
  expect(new Set([br, gzip, plain].map((r) => r.headers.etag)).size).toBe(3)

  const loader = await get('/widget.js', { 'accept-encoding': 'br' })
  expect(loader.headers['content-encoding']).toBe('br')
  expect(brotliDecompressSync(loader.body).equals(readFileSync(new URL('widget.js', cdn)))).toBe(true)
})

test('a conditional request for a widget file that has not changed gets 304 and no body', async () => {
  const first = await get(`/widget/${core}`, { 'accept-encoding': 'br' })
  const etag = first.headers.etag as string
  expect(first.headers['last-modified']).toBeDefined()
  expect(etag).toMatch(/^".+"$/)
  expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable')

  const revisit = await get(`/widget/${core}`, { 'accept-encoding': 'br', 'if-none-match': etag })
  expect(revisit.status).toBe(304)
  expect(revisit.body.length).toBe(0)
  expect(revisit.headers.etag).toBe(etag)
  expect(revisit.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  // Weak comparison, and a list of tags.
  expect(
    (await get(`/widget/${core}`, { 'accept-encoding': 'br', 'if-none-match': `"x", W/${etag}` })).status,
  ).toBe(304)
  // Another encoding's tag does not match this representation.
  expect((await get(`/widget/${core}`, { 'if-none-match': etag })).status).toBe(200)

  const lastModified = (await get('/widget.js')).headers['last-modified'] as string
  const since = await get('/widget.js', { 'if-modified-since': lastModified })
  expect(since.status).toBe(304)
  expect(since.headers['cache-control']).toBe('public, max-age=300')
  const older = new Date(Date.parse(lastModified) - 60_000).toUTCString()
  expect((await get('/widget.js', { 'if-modified-since': older })).status).toBe(200)
  expect((await get('/widget.js', { 'if-modified-since': 'garbage' })).status).toBe(200)
  // If-None-Match decides when both are sent.
  expect(
    (await get('/widget.js', { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status,
  ).toBe(200)
})

test('the compressed copies are not served by their own names', async () => {
  expect((await get(`/widget/${core}.br`)).status).toBe(404)
  expect((await get('/widget.js.gz')).status).toBe(404)
})
