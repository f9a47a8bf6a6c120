// The largest context a vendor may hand over (the protocol's CONTEXT_LIMITS): a long error and stack,
// a whole file, a diff, a long page address, each with lines far wider than any panel. The layout
// suite and the screenshots start sessions with it.
import { CONTEXT_LIMITS, type SessionContext } from '@suportra/client/protocol'

/** `lines` joined with newlines, repeated until `max` characters (cut there). */
const fill = (max: number, lines: string[]) => {
  let text = ''
  for (let i = 0; text.length < max; i++) text += `${lines[i % lines.length]?.replace('#', String(i))}\n`
  return text.slice(0, max)
}

const LONG_NAME = 'AVeryLongComponentNameThatNeverBreaksAnywhere'.repeat(6)

/** Every part at (or near) its own limit, the whole under the total limit. */
export function largestContext(pageUrl: string): SessionContext {
  const context: SessionContext = {
    error: {
      message: fill(2_000, [
        `TypeError: Cannot read properties of undefined (reading 'map') in ${LONG_NAME} at https://preview.example.com/${'segment/'.repeat(40)}`,
      ]).replaceAll('\n', ' '),
      stack: fill(CONTEXT_LIMITS.stack, [
        `    at ${LONG_NAME}.render (webpack-internal:///./src/components/${LONG_NAME}.tsx:#:17)`,
        '    at renderWithHooks (node_modules/react-dom/cjs/react-dom.development.js:#:18)',
      ]),
    },
    file: {
      path: `src/components/${'nested/'.repeat(30)}${LONG_NAME}.tsx`,
      language: 'tsx',
      content: fill(CONTEXT_LIMITS.content, [
        `export const row# = items.map((item) => <${LONG_NAME} key={item.id} title={item.title} description={item.description ?? 'no description given for this item'} />)`,
        '// line #',
      ]),
    },
    diff: fill(CONTEXT_LIMITS.content, [
      `@@ -#,3 +#,3 @@`,
      `-  const value = compute(${'argument, '.repeat(30)}last)`,
      `+  const value = computeFaster(${'argument, '.repeat(30)}last)`,
    ]),
    url: `${pageUrl}?${'q=long-query-parameter-value&'.repeat(60)}`.slice(0, CONTEXT_LIMITS.url),
    tool: { name: 'Pixel Forge', version: '2.4.1' },
  }
  const bytes = new TextEncoder().encode(JSON.stringify(context)).length
  if (bytes > CONTEXT_LIMITS.totalBytes) throw new Error(`largestContext: ${bytes} bytes is over the limit`)
  return context
}
