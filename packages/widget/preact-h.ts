import type { Plugin } from 'vite'

/**
 * The widget's JSX compiled to Preact's `h(type, props, ...children)` (the classic runtime) rather
 * than `jsx(type, { ...props, children: [...] })` (the automatic one): the same elements, with less
 * code around each (~170 B brotli less in what the widget loads when it opens). The builds and the
 * widget's tests use it (`oxc` and `plugin` go together); the types stay the automatic runtime's,
 * which are the same. `h` and `Fragment` are imported into every .tsx file under names no source uses.
 */
export const preactH = {
  // Never the development transform: its `__self` and `__source` props would reach the DOM through `h`.
  oxc: { jsx: { runtime: 'classic' as const, development: false, pragma: '$h', pragmaFrag: '$Fragment' } },
  plugin: {
    name: 'suportra:preact-h',
    enforce: 'pre',
    transform: {
      filter: { id: { include: /\.tsx$/, exclude: /node_modules/ } },
      // On the first line, so every line of the source keeps its number.
      handler: (code) => ({
        code: `import { h as $h, Fragment as $Fragment } from 'preact';${code}`,
        map: null,
      }),
    },
  } satisfies Plugin,
}
