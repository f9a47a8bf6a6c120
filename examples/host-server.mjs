// A stand-in for a vendor's web server, used by `pnpm dev` and the browser tests: serves an example's
// static files on its own origin (so the widget runs cross-origin, as on a real site), fills in
// %SUPORTRA_URL%, and plays the vendor backend that signs identity tokens for its signed-in users.
import { createHmac } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** An HS256 JWT, the way a vendor backend signs "this is our user" for Suportra (node:crypto only). */
export function signIdentity(claims, secret, ttlSeconds = 600) {
  const now = Math.floor(Date.now() / 1000)
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...claims, iat: now, exp: now + ttlSeconds })}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}

/**
 * Starts the host server. `csp` (optional) is sent as the page's Content-Security-Policy; in it,
 * %SUPORTRA_URL% and %SUPORTRA_WS% stand for the API's http and ws origins.
 * @param {{ root: string, apiUrl: string, port?: number, csp?: string, identitySecret?: string }} options
 */
export async function startHostServer({
  root,
  apiUrl,
  port = 0,
  csp,
  identitySecret = 'demo-identity-secret',
}) {
  const wsUrl = apiUrl.replace(/^http/, 'ws')
  const fill = (text) => text.replaceAll('%SUPORTRA_URL%', apiUrl).replaceAll('%SUPORTRA_WS%', wsUrl)
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://host')
    if (url.pathname === '/api/identity-token') {
      // The vendor's own sign-in decides who this is; the demo just takes a name.
      const name = url.searchParams.get('name') ?? 'Linus Demo'
      const token = signIdentity(
        { sub: `vendor-${name.toLowerCase().replace(/\W+/g, '-')}`, name },
        identitySecret,
      )
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      response.end(JSON.stringify({ token }))
      return
    }
    const path = normalize(
      join(root, url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname),
    )
    if (!path.startsWith(root)) {
      response.writeHead(403).end()
      return
    }
    try {
      const type = TYPES[extname(path)] ?? 'application/octet-stream'
      const raw = await readFile(path)
      const body = type.startsWith('text/') ? fill(raw.toString('utf8')) : raw
      const headers = { 'content-type': type, 'cache-control': 'no-store' }
      if (csp && type.startsWith('text/html')) headers['content-security-policy'] = fill(csp)
      response.writeHead(200, headers).end(body)
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
    }
  })
  // A busy port rejects (EADDRINUSE) instead of crashing the process from an unhandled 'error' event.
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const url = `http://127.0.0.1:${server.address().port}`
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}
