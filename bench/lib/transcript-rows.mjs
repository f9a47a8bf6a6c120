// A realistic transcript for the rendering and memory benchmarks: the user and the builder take
// turns; most messages are a sentence or two, some use markdown (inline code, bold, links, lists),
// one in ten is a code message. Deterministic, so every run renders the same thing.

const TEXTS = [
  'ok',
  'Thanks, trying that now.',
  'The build fails right after `npm run build` with a hydration error on the dashboard page.',
  'Can you paste the full stack trace? The **first** frame from your own code is the one that matters.',
  'It says `Text content does not match server-rendered HTML` and points at src/app/page.tsx line 14.',
  'That line renders `new Date()` during server rendering, so the server and the browser disagree.\nMove it into an effect, or render it on the client only.',
  'Here is what I would check:\n- the env variables on Vercel\n- the `NEXT_PUBLIC_` prefix\n- the build cache',
  'See https://nextjs.org/docs/messages/react-hydration-error for the long version.',
  'Got it. And the *second* warning about keys?',
  'Each item in the list needs a stable `key`; the index is not stable once you sort. Use the row id.',
  'Done, the warnings are gone and the deploy is green 🎉',
  'One more thing: Cursor keeps rewriting my tsconfig paths when I accept its suggestions.',
]

const CODE = [
  {
    language: 'tsx',
    content:
      "'use client'\nimport { useEffect, useState } from 'react'\n\nexport function Now() {\n  const [now, setNow] = useState<Date>()\n  useEffect(() => setNow(new Date()), [])\n  return <time>{now?.toLocaleString()}</time>\n}",
  },
  {
    language: 'json',
    content: '{\n  "compilerOptions": {\n    "baseUrl": ".",\n    "paths": { "@/*": ["./src/*"] }\n  }\n}',
  },
  { language: 'bash', content: 'rm -rf .next node_modules/.cache\nnpm run build 2>&1 | tee build.log' },
]

/** Message rows for the `messages` table, seq `from` … `from + count - 1`. */
export function transcriptRows({
  sessionId,
  from,
  count,
  userId,
  builderId,
  start = Date.now() - count * 5000,
}) {
  const rows = []
  for (let i = 0; i < count; i++) {
    const seq = from + i
    const builder = seq % 2 === 0
    const code = seq % 10 === 0 ? CODE[(seq / 10) % CODE.length] : null
    rows.push({
      id: `msg_seed_${sessionId}_${seq}`,
      session_id: sessionId,
      seq,
      client_id: `m_seed_${sessionId}_${seq}`,
      author: builder ? 'builder' : 'user',
      author_id: builder ? builderId : userId,
      kind: code ? 'code' : 'text',
      body: code ? 'Try this:' : TEXTS[(seq * 7) % TEXTS.length],
      code_language: code?.language ?? null,
      code_content: code?.content ?? null,
      created_at: start + i * 5000,
    })
  }
  return rows
}
