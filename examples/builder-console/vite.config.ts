import { defineConfig } from 'vite'

// React without the React plugin: JSX through Vite's own transformer is all a production build needs.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { target: 'es2022' },
  // The builder console shares a few components with the React example: one React either way.
  resolve: { dedupe: ['react', 'react-dom', '@suportra/client', '@suportra/react'] },
})
