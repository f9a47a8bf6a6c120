// Bytes on the wire when the widget opens, self-hosted: the reference server (serve.mjs) asked for
// every file the widget loads to open in English — the loader, `widget/app.js` with the chunks it
// imports statically, the English strings (payload.mjs's ENTRIES) — the way Chromium asks
// (`Accept-Encoding: gzip, deflate, br, zstd`), then again as a revisit past `max-age` with the
// validators it got (`If-None-Match`). Counted as they cross the socket: status line, headers and
// body. Beside them: the same files uncompressed, and brotli 11 of each file (the payload rows).
// Usage: node bench/wire.mjs   (prints JSON)
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants } from 'node:zlib'
import { startChild } from './lib/child.mjs'
import { ENTRIES } from './payload.mjs'

const cdn = fileURLToPath(new URL('../packages/widget/dist/cdn/', import.meta.url))
const CHROMIUM = 'gzip, deflate, br, zstd'

/** One GET; resolves with the status, the headers and the bytes the response took on the socket. */
function get(url, headers) {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = 0
      res.on('data', (chunk) => {
        body += chunk.length
      })
      res.on('end', () => {
        // The status line, each header as `name: value` CRLF, and the blank line, as sent.
        const head =
          `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length +
          res.rawHeaders.reduce((n, part) => n + part.length + 2, 0) +
          2
        resolve({ status: res.statusCode, headers: res.headers, bytes: head + body, body })
      })
    })
      .on('error', reject)
      .end()
  })
}

const entry = ENTRIES.find((e) => e.name.startsWith('loader + widget'))
const files = entry.files()
const server = await startChild(new URL('./serve.mjs', import.meta.url))
try {
  const paths = files.map((file) => `/${file}`)
  const first = await Promise.all(
    paths.map((path) => get(server.url + path, { 'accept-encoding': CHROMIUM })),
  )
  const plain = await Promise.all(
    paths.map((path) => get(server.url + path, { 'accept-encoding': 'identity' })),
  )
  const revisit = await Promise.all(
    paths.map((path, i) =>
      get(server.url + path, { 'accept-encoding': CHROMIUM, 'if-none-match': first[i].headers.etag ?? '' }),
    ),
  )
  const brotli11 = files.reduce(
    (n, file) =>
      n +
      brotliCompressSync(readFileSync(cdn + file), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        .length,
    0,
  )
  const sum = (responses) => responses.reduce((n, r) => n + r.bytes, 0)
  console.log(
    JSON.stringify(
      {
        files,
        encodings: [...new Set(first.map((r) => r.headers['content-encoding'] ?? 'identity'))],
        firstVisitBytes: sum(first),
        firstVisitBodyBytes: first.reduce((n, r) => n + r.body, 0),
        uncompressedBytes: sum(plain),
        brotli11Bytes: brotli11,
        revisitBytes: sum(revisit),
        revisitStatuses: revisit.map((r) => r.status),
      },
      null,
      2,
    ),
  )
} finally {
  await server.close()
}
