// Writes `file.js.br` (brotli, quality 11) and `file.js.gz` (gzip, level 9) beside every script of
// dist/cdn, at build time: the reference server (and a CDN or static server in front) sends them to
// browsers that accept them, with no compression work per request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const cdn = fileURLToPath(new URL('../dist/cdn', import.meta.url))
let files = 0
for (const entry of readdirSync(cdn, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue
  const path = join(entry.parentPath, entry.name)
  const body = readFileSync(path)
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  )
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }))
  files++
}
console.log(`precompressed ${files} files in dist/cdn (.br, .gz)`)
