import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { notFound } from '../errors.js'
import type { Env } from './request.js'

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

/**
 * Serves the widget to host pages: `/widget.js` (the loader) and `/widget/*.js` (loaded on demand).
 * Any origin may load them (module scripts are fetched with CORS); hashed chunks are cached forever,
 * the loader and the app entry for five minutes so a deploy reaches everyone quickly.
 */
export function widgetAssets(): Hono<Env> {
  const dir = cdnDir()
  const serve = async (file: string) => {
    if (!dir) throw notFound('Widget bundle (build packages/widget)')
    const body = await readFile(join(dir, file)).catch(() => {
      throw notFound(`Widget file ${file}`)
    })
    return new Response(body, {
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
        'x-content-type-options': 'nosniff',
      },
    })
  }
  return new Hono<Env>()
    .get('/widget.js', () => serve('widget.js'))
    .get('/widget/:file{[\\w.-]+\\.js}', (c) => serve(join('widget', c.req.param('file'))))
}
