import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { notFound } from '../errors.js'
import type { C, Env } from './request.js'

/** Where the built widget bundle lives (`pnpm build` in packages/widget writes it). */
function cdnDir(): string | undefined {
  try {
    return join(
      dirname(createRequire(import.meta.url).resolve('@suportra/widget/package.json')),
      'dist',
      'cdn',
    )
  } catch {
    return undefined
  }
}

/** A hashed chunk (`core-Bu2M6j.js`: six characters or more, see the widget's vite.cdn.config.ts). */
const HASHED = /-[\w-]{6,}\.js$/

/** The encodings the widget's build writes beside each file (scripts/precompress.mjs), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const

/**
 * Serves the widget to host pages: `/widget.js` (the loader) and `/widget/*.js` (loaded on demand).
 * Any origin may load them (module scripts are fetched with CORS); hashed chunks are cached forever,
 * the loader and the app entry for five minutes so a deploy reaches everyone quickly.
 *
 * Compressed as built (brotli or gzip, by `Accept-Encoding`, with `Vary: Accept-Encoding`), and
 * with validators: an `ETag` per file version and encoding, `Last-Modified`, and 304 for a
 * conditional request (`If-None-Match`, else `If-Modified-Since`) that still matches.
 */
export function widgetAssets(): Hono<Env> {
  const dir = cdnDir()
  const serve = async (c: C, file: string) => {
    if (!dir) throw notFound('Widget bundle (build packages/widget)')
    const path = join(dir, file)
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) throw notFound(`Widget file ${file}`)
    const encoding = await pickEncoding(c.req.header('accept-encoding'), path, info.mtimeMs)
    const version = `${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}`
    const headers: Record<string, string> = {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      etag: `"${version}${encoding ? `-${encoding.name}` : ''}"`,
      'last-modified': new Date(info.mtimeMs).toUTCString(),
      vary: 'Accept-Encoding',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
    }
    if (notModified(c, headers.etag as string, info.mtimeMs))
      return new Response(null, { status: 304, headers })
    const body = await readFile(encoding ? path + encoding.suffix : path).catch(() => {
      throw notFound(`Widget file ${file}`)
    })
    if (encoding) headers['content-encoding'] = encoding.name
    return new Response(body, { headers })
  }
  return new Hono<Env>()
    .get('/widget.js', (c) => serve(c, 'widget.js'))
    .get('/widget/:file{[\\w.-]+\\.js}', (c) => serve(c, join('widget', c.req.param('file'))))
}

/**
 * The best encoding the client accepts (`q` > 0) whose precompressed file exists and is not older
 * than the file (a watch rebuild that did not compress again), or none (identity).
 */
async function pickEncoding(header: string | undefined, path: string, mtimeMs: number) {
  const accepted = new Map<string, number>()
  for (const part of (header ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    accepted.set(token, q === undefined ? 1 : Number(q))
  }
  for (const encoding of ENCODINGS) {
    const q = accepted.get(encoding.name) ?? accepted.get('*') ?? 0
    if (!(q > 0)) continue
    const fresh = await stat(path + encoding.suffix).then(
      (s) => s.isFile() && s.mtimeMs >= mtimeMs,
      () => false,
    )
    if (fresh) return encoding
  }
  return undefined
}

/** `If-None-Match` (any of its tags, weak or strong, or `*`) decides; without it, `If-Modified-Since`. */
function notModified(c: C, etag: string, mtimeMs: number): boolean {
  const match = c.req.header('if-none-match')
  if (match !== undefined) {
    return match
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === etag)
  }
  const since = Date.parse(c.req.header('if-modified-since') ?? '')
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since
}
