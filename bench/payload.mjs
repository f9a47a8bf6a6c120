// Payload vs peers: every entry is bundled the same way (esbuild: minified, ESM, platform browser,
// production) and compressed with brotli quality 11. Files the browser loads as they are (the
// script-tag loader and what it loads when the widget opens) are measured as files.
// Usage: node bench/payload.mjs   (prints JSON on stdout)
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants } from 'node:zlib'
import { build } from 'esbuild'
import { exact } from './lib/stats.mjs'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const widgetCdn = `${root}packages/widget/dist/cdn/`

const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length

const ZOD_USED =
  'string object maxLength strictObject nullable number optional enum array minLength int gte looseObject coerce url regex parse lte literal boolean trim toLowerCase refine record email discriminatedUnion config'.split(
    ' ',
  )

const REACT_DOM = "export { createRoot } from 'react-dom/client'\n"

/**
 * What is measured. `source` is an entry bundled by esbuild; `files` are measured as they are.
 * `loader: true` marks peers whose npm package only injects a hosted script we cannot measure here.
 */
export const ENTRIES = [
  {
    group: 'ours',
    name: '@suportra/client `createClient`',
    source: "export { createClient } from '@suportra/client'",
  },
  {
    group: 'ours',
    name: '@suportra/react on top of the client (React, client external)',
    source: `export * from ${JSON.stringify(`${root}packages/react/dist/index.js`)}`,
    external: ['react', 'react-dom', 'react/jsx-runtime', '@suportra/client', '@suportra/widget'],
  },
  {
    group: 'ours',
    name: '@suportra/widget npm `mount` (Preact, signals, client, UI, CSS, English)',
    source: "export { mount } from '@suportra/widget'",
    // mount() draws once its language is in: English is loaded with it.
    alsoLoads: /\/en-[\w-]{8}\.js$/,
  },
  { group: 'ours', name: 'script-tag loader `widget.js` (before the widget opens)', files: ['widget.js'] },
  {
    group: 'ours',
    name: 'loaded when the widget opens: `widget/app.js`, the chunks it imports, English',
    files: () => [...staticClosure('widget/app.js'), ...localeChunk('en')],
  },
  {
    group: 'ours',
    name: 'loaded when the widget opens, German (the largest locale)',
    files: () => [...staticClosure('widget/app.js'), ...localeChunk('de')],
  },
  {
    group: 'ours',
    name: 'loader + widget, all a script-tag user downloads (English)',
    files: () => ['widget.js', ...staticClosure('widget/app.js'), ...localeChunk('en')],
  },
  {
    group: 'peers',
    name: '@intercom/messenger-js-sdk (loader)',
    source:
      "export * from '@intercom/messenger-js-sdk'\nexport { default } from '@intercom/messenger-js-sdk'",
    loader: true,
  },
  {
    group: 'peers',
    name: '@livechat/widget-core `createWidget` (loader)',
    source: "export { createWidget } from '@livechat/widget-core'",
    loader: true,
  },
  {
    group: 'peers',
    name: 'crisp-sdk-web `Crisp` (loader)',
    source: "export { Crisp } from 'crisp-sdk-web'",
    loader: true,
  },
  {
    group: 'peers',
    name: '@livechat/customer-sdk `init`',
    source: "export { init } from '@livechat/customer-sdk'",
  },
  { group: 'peers', name: 'stream-chat `StreamChat`', source: "export { StreamChat } from 'stream-chat'" },
  {
    group: 'peers',
    name: '@papercups-io/chat-widget `ChatWidget` + React 19',
    source: `export { ChatWidget } from '@papercups-io/chat-widget'\n${REACT_DOM}`,
  },
  {
    group: 'peers',
    name: 'ai + @ai-sdk/react `useChat` + React 19',
    source: `export { useChat } from '@ai-sdk/react'\n${REACT_DOM}`,
  },
  { group: 'reference', name: 'React 19 alone (react + react-dom/client `createRoot`)', source: REACT_DOM },
  {
    group: 'reference',
    name: 'floor of our stack (preact + signals + nanostores + zod/mini)',
    // The widget reads stores with its own small useStore (no @nanostores/preact any more).
    source: floorSource([]),
    // These are the widget's and the client's dependencies, resolved from there.
    resolveDir: `${root}packages/widget`,
    nodePaths: [`${root}packages/client/node_modules`],
  },
  {
    group: 'reference',
    name: 'floor as DESIGN.md names it (preact + signals + nanostores + ofetch + zod/mini)',
    // The client has since dropped ofetch for plain fetch; the bench package has it for this row.
    source: floorSource(["export { ofetch } from 'ofetch'"]),
    resolveDir: `${root}packages/widget`,
    nodePaths: [`${root}packages/client/node_modules`, `${benchDir}node_modules`],
  },
]

/** The libraries under our widget, without any of our code: the least the widget could weigh. */
function floorSource(extra) {
  return [
    "export { h, render } from 'preact'",
    "export { signal, effect, computed } from '@preact/signals'",
    "export { atom, computed as nsComputed, onMount } from 'nanostores'",
    ...extra,
    // The zod/mini functions the client's protocol schemas use (a namespace export would keep all).
    "import * as zm from 'zod/mini'",
    `export const z = { ${ZOD_USED.map((name) => `${name}: zm.${name}`).join(', ')} }`,
  ].join('\n')
}

/**
 * A built file and every chunk it imports statically, transitively (`import … from "./core-x.js"`,
 * `export … from`, `import "./x.js"`), as the browser fetches them before the module runs; chunks
 * only reached through `import()` are left out.
 */
function staticClosure(file, seen = new Set()) {
  if (seen.has(file)) return seen
  seen.add(file)
  const code = readFileSync(widgetCdn + file, 'utf8')
  const dir = file.slice(0, file.lastIndexOf('/') + 1)
  for (const [, spec] of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["']\.\/([\w.-]+\.js)["']/g))
    staticClosure(dir + spec, seen)
  return seen
}

/** A locale's chunk (`widget/ar-BGlFH1.js`), or none when that locale is built into app.js. */
function localeChunk(code) {
  const file = readdirSync(`${widgetCdn}widget`).find((f) => new RegExp(`^${code}-[\\w-]{6}\\.js$`).test(f))
  return file ? [`widget/${file}`] : []
}

/**
 * Bundles an entry with code splitting, so chunks it only imports dynamically (the widget's other
 * locales) stay out of it, as they would in a vendor's app. Returns the entry with everything it
 * imports statically, and the lazy chunks' bytes apart.
 */
async function bundle(entry) {
  const result = await build({
    stdin: { contents: entry.source, resolveDir: entry.resolveDir ?? benchDir, loader: 'js' },
    bundle: true,
    splitting: true,
    outdir: '/virtual',
    absWorkingDir: benchDir,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: entry.external ?? [],
    nodePaths: entry.nodePaths ?? [],
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    metafile: true,
  })
  const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]))
  const outputs = result.metafile.outputs
  const main = Object.keys(outputs).find((path) => outputs[path].entryPoint === '<stdin>')
  const eager = new Set()
  const visit = (path) => {
    if (eager.has(path)) return
    eager.add(path)
    for (const imported of outputs[path].imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path)
  }
  visit(main)
  // Chunks that load right away although imported dynamically (the widget's English strings).
  for (const path of Object.keys(outputs))
    if (entry.alsoLoads?.test(outputs[path].entryPoint ?? '')) visit(path)
  const bytesOf = (path) => files.get(resolve(benchDir, path))
  const eagerFiles = [...eager].map(bytesOf)
  const lazyFiles = Object.keys(outputs)
    .filter((path) => !eager.has(path) && path.endsWith('.js'))
    .map(bytesOf)
  return { eagerFiles, lazyFiles }
}

export async function measurePayload() {
  const rows = []
  for (const entry of ENTRIES) {
    const files = typeof entry.files === 'function' ? entry.files() : entry.files
    const { eagerFiles, lazyFiles = [] } = files
      ? { eagerFiles: files.map((file) => readFileSync(widgetCdn + file)) }
      : await bundle(entry)
    // Each file is its own response, so each is compressed alone.
    const total = (files, measure) => files.reduce((sum, bytes) => sum + measure(bytes), 0)
    rows.push({
      group: entry.group,
      name: entry.name,
      loader: Boolean(entry.loader),
      files: eagerFiles.length,
      minified: exact(total(eagerFiles, (b) => b.length) / 1000, 'kB'),
      brotli: exact(total(eagerFiles, brotli) / 1000, 'kB'),
      lazyBrotli: exact(total(lazyFiles, brotli) / 1000, 'kB'),
    })
  }
  // Every other file next to app.js is a chunk it loads on demand (a locale, code highlighting…).
  const eager = staticClosure('widget/app.js')
  const chunks = readdirSync(`${widgetCdn}widget`).filter(
    (f) => f.endsWith('.js') && !eager.has(`widget/${f}`),
  )
  const chunkSizes = Object.fromEntries(
    chunks.map((f) => [
      f.replace(/-[\w-]{6}\.js$/, ''),
      brotli(readFileSync(`${widgetCdn}widget/${f}`)) / 1000,
    ]),
  )
  return { rows, chunks: chunkSizes, opensWith: [...eager] }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measurePayload(), null, 2))
}
