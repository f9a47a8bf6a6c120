// The vendor's web server for the hardening pages: serves examples/hardening/pages on its own origin,
// with a fresh CSP nonce per response. Like ../../host-server.mjs (which it leaves alone), it fills
// in %SUPORTRA_URL% and %SUPORTRA_WS%; it also fills %NONCE%, %WIDGET_SRC%, %LOAD% and %STYLES%
// (`?css=reset,transform` links pages/css/reset.css and pages/css/transform.css).
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const PAGES = fileURLToPath(new URL('../pages/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

export interface HostOptions {
  apiUrl: string
  /** The Content-Security-Policy header of HTML responses; %NONCE%, %SUPORTRA_URL%, %SUPORTRA_WS% are filled in. */
  csp?: string
  /** The loader's address (default: the API's /widget.js). */
  widgetSrc?: string
  /**
   * The pages' data-load attribute. Here `idle` unless asked (the suites look at the loaded widget without
   * reaching for it first); the loader's own default is `interaction`, which waits for the user.
   */
  load?: 'idle' | 'interaction'
  /** Static files served from another folder (the built React examples). */
  root?: string
}

export interface Host {
  url: string
  close(): Promise<void>
}

/** Starts a host server on a random port of 127.0.0.1. */
export async function startHost(options: HostOptions): Promise<Host> {
  const root = options.root ?? PAGES
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://host')
    const path = normalize(
      join(root, url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname),
    )
    if (!path.startsWith(root)) {
      response.writeHead(403).end()
      return
    }
    const raw = await readFile(path).catch(() => undefined)
    if (!raw) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    const type = TYPES[extname(path)] ?? 'application/octet-stream'
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-store' }
    if (!type.startsWith('text/')) {
      response.writeHead(200, headers).end(raw)
      return
    }
    const nonce = randomBytes(16).toString('base64')
    const fill = (text: string) => fillIn(text, options, nonce, url.searchParams.get('css'))
    if (options.csp && type.startsWith('text/html')) headers['content-security-policy'] = fill(options.csp)
    response.writeHead(200, headers).end(fill(raw.toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function fillIn(text: string, options: HostOptions, nonce: string, css: string | null): string {
  const styles = (css ?? '')
    .split(',')
    .filter((name) => /^[a-z-]+$/.test(name))
    .map((name) => `<link rel="stylesheet" href="/css/${name}.css" />`)
    .join('\n    ')
  return text
    .replaceAll('%WIDGET_SRC%', options.widgetSrc ?? `${options.apiUrl}/widget.js`)
    .replaceAll('%LOAD%', options.load ?? 'idle')
    .replaceAll('%STYLES%', styles)
    .replaceAll('%NONCE%', nonce)
    .replaceAll('%SUPORTRA_URL%', options.apiUrl)
    .replaceAll('%SUPORTRA_WS%', options.apiUrl.replace(/^http/, 'ws'))
}
