import { defineConfig } from 'vite'

/** `dist/cdn/widget.js`: the script-tag loader, one small classic script with no dependencies. */
export default defineConfig({
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: 'src/loader/loader.ts',
      formats: ['iife'],
      name: 'SuportraLoader',
      fileName: () => 'widget.js',
    },
  },
})
