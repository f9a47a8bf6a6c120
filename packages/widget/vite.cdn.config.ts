import { type MinifyOptions, minify } from 'terser'
import { defineConfig, type Plugin } from 'vite'
import { oneHash } from './one-hash.js'
import { preactH } from './preact-h.js'

/**
 * Vite wraps every dynamic import in its module-preload helper (~540 B brotli in the core chunk) even
 * with `modulePreload: false`. The widget has no CSS files or dependencies to preload, so each
 * lazy chunk is simply imported.
 */
const noPreloadHelper: Plugin = {
  name: 'suportra:no-preload-helper',
  enforce: 'pre',
  load: (id) =>
    id === '\0vite/preload-helper.js' ? 'export const __vitePreload = (load) => load()' : undefined,
}

/**
 * A second minification, by Terser, of every chunk Vite's own minifier (Oxc) wrote: Terser finds what
 * Oxc leaves (it inlines and folds more), ~360 B brotli off opening the widget. It runs before
 * one-hash, so the build's hash covers the code as served. Nothing here changes what the code does:
 * no `unsafe` option is on.
 */
const TERSER: MinifyOptions = { module: true, ecma: 2020, compress: { passes: 3 } }
const terserPass: Plugin = {
  name: 'suportra:terser-pass',
  enforce: 'post',
  generateBundle: {
    order: 'post',
    async handler(_, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') file.code = (await minify(file.code, TERSER)).code ?? file.code
      }
    },
  },
}

/**
 * `dist/cdn/widget/`: what the loader fetches, fully bundled (Preact, signals, the client). The entry
 * keeps a stable name (`app.js`, served with a short cache) and only re-exports `boot` from the
 * hashed `core-*.js` (cached forever), which the lazy chunks import too. That is what lets the
 * loader retry a failed load as `app.js?retry=N` (browsers remember a failed import by its URL):
 * were the code in `app.js` itself, the lazy chunks would import the failed `app.js` again.
 */
export default defineConfig({
  oxc: preactH.oxc,
  plugins: [noPreloadHelper, preactH.plugin, terserPass, oneHash],
  build: {
    outDir: 'dist/cdn/widget',
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: { app: 'src/cdn.ts' },
      preserveEntrySignatures: 'allow-extension',
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        // Six characters (the fewest rolldown allows), then one hash for every chunk (see one-hash.ts):
        // random characters do not compress, and the core names ~20 chunks. Every place that recognises
        // a hashed name (the server's `immutable` caching, bench/payload.mjs) matches six or more.
        chunkFileNames: '[name]-[hash:6].js',
        // Everything the widget needs to open, in one chunk; what loads later keeps its own chunks.
        manualChunks: (id) => (/node_modules|\/src\/auto\.ts$/.test(id) ? 'core' : undefined),
      },
    },
  },
})
