import { defineConfig } from 'vite'

/**
 * `dist/cdn/widget/`: what the loader fetches, fully bundled (Preact, signals, the client). The entry
 * keeps a stable name (`app.js`, served with a short cache); chunks are content-hashed (cached forever).
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist/cdn/widget',
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: { app: 'src/auto.ts' },
      preserveEntrySignatures: 'exports-only',
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
})
