import { describe, expect, test } from 'vitest'
import { diffLines, highlight, isDiff } from './highlight.js'

const join = (tokens: [string, string][]) => tokens.map(([, text]) => text).join('')
const kinds = (tokens: [string, string][], kind: string) =>
  tokens.filter(([k]) => k === kind).map(([, t]) => t)

describe('highlight', () => {
  const samples: [string, string][] = [
    [
      'tsx',
      'export function Page({ id }: { id: string }) {\n  // the date differs on the server\n  const [now, setNow] = useState<Date>()\n  return <p className="date">{now?.toISOString() ?? `loading ${id}`}</p>\n}',
    ],
    [
      'python',
      'def handler(event):\n    """Docstring"""\n    return {"status": 200, "body": f\'ok {event["id"]}\'}  # done',
    ],
    ['bash', 'export PATH="$HOME/.local/bin:$PATH"\nnpm run build # compile\necho ${NODE_ENV}'],
    ['json', '{"name": "app", "version": "1.0.0", "private": true, "count": 12}'],
    ['css', '.btn:hover { color: #fff; padding: 4px 8px; /* brand */ }'],
    ['html', '<a href="https://example.com" onclick="alert(1)">x</a><!-- note -->'],
    ['sql', "SELECT id, email FROM users WHERE email = 'a@b.c' -- admins\nORDER BY id LIMIT 10;"],
    ['unknown-lang', 'some <b>text</b> & "quotes"'],
  ]

  test.each(samples)('%s: the tokens give back the code byte for byte', (language, code) => {
    expect(join(highlight(code, language))).toBe(code)
  })

  test('finds keywords, strings, comments, numbers and calls', () => {
    const tokens = highlight(samples[0]?.[1] ?? '', 'tsx')
    expect(kinds(tokens, 'keyword')).toEqual(
      expect.arrayContaining(['export', 'function', 'const', 'return']),
    )
    expect(kinds(tokens, 'comment')).toEqual(['// the date differs on the server'])
    expect(kinds(tokens, 'string')).toEqual(['"date"', '`loading ${id}`'])
    expect(kinds(tokens, 'function')).toEqual(expect.arrayContaining(['Page', 'useState', 'toISOString']))
    expect(kinds(highlight('SELECT 1 from T', 'sql'), 'keyword')).toEqual(['SELECT', 'from'])
    expect(kinds(highlight('{"a": 1.5e3}', 'json'), 'number')).toEqual(['1.5e3'])
  })

  test('HTML in code stays text: tags are tokens, never elements', () => {
    const tokens = highlight('<script>alert(1)</script>', 'html')
    expect(kinds(tokens, 'tag')).toEqual(['<script', '>', '</script', '>'])
  })

  test('diffs are recognised and split into added, removed and context lines', () => {
    const diff = 'diff --git a/x.ts b/x.ts\n@@ -1,2 +1,2 @@\n-const a = 1\n+const a = 2\n same'
    expect(isDiff('', diff)).toBe(true)
    expect(isDiff('ts', 'const a = 1')).toBe(false)
    expect(diffLines(diff).map(([kind]) => kind)).toEqual(['meta', 'hunk', 'del', 'add', 'same'])
  })
})
