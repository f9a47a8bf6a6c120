import { defineConfig } from 'vite'
import { preactH } from './preact-h.js'

/**
 * The npm entries: `mount()` (pure), `auto` (what the loader boots), `highlight`, and `load-once`
 * (shared with @suportra/react, which must not pull in the UI); dependencies stay external.
 */
export default defineConfig({
  oxc: preactH.oxc,
  plugins: [preactH.plugin],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: {
        index: 'src/index.ts',
        auto: 'src/auto.ts',
        highlight: 'src/highlight/highlight.ts',
        'load-once': 'src/load-once.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^preact/, /^@preact\//, /^@suportra\/(client|protocol)/],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
})
