import type { SessionContext } from '@suportra/client'
import { diffLines, highlight, isDiff } from '@suportra/widget/highlight'

const LABELS: Record<string, string> = {
  error: 'Error',
  file: 'File',
  selection: 'Selection',
  diff: 'Diff',
  terminal: 'Terminal',
  conversation: 'AI conversation',
  url: 'Page',
  tool: 'Tool',
  project: 'Project',
}

/** Code as highlighted text spans (never HTML), or a diff line by line. */
export function Code({ code, language }: { code: string; language: string }) {
  return (
    <pre className="code">
      <code>
        {isDiff(language, code)
          ? diffLines(code).map(([kind, line], i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of one immutable text
              <span key={i} className={`d-${kind}`}>{`${line}\n`}</span>
            ))
          : highlight(code, language).map(([kind, text], i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: tokens of one immutable text
              <span key={i} className={`t-${kind}`}>
                {text}
              </span>
            ))}
      </code>
    </pre>
  )
}

function Part({ part, value }: { part: string; value: unknown }) {
  const v = value as Record<string, string | undefined>
  if (part === 'error') {
    return (
      <Code
        code={typeof value === 'string' ? value : [v.message, v.stack].filter(Boolean).join('\n')}
        language=""
      />
    )
  }
  if (part === 'file') {
    if (typeof value === 'string') return <p>{value}</p>
    return (
      <>
        <p>{v.path}</p>
        {v.content && <Code code={v.content} language={v.language ?? v.path?.split('.').pop() ?? ''} />}
      </>
    )
  }
  if (part === 'diff' || part === 'terminal' || part === 'selection') {
    return <Code code={String(value)} language={part === 'diff' ? 'diff' : part === 'terminal' ? 'sh' : ''} />
  }
  if (part === 'conversation' && Array.isArray(value)) {
    return (
      <ol className="turns">
        {(value as { role: string; content: string }[]).map((turn, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: turns of one immutable list
          <li key={i}>
            <strong>{turn.role}:</strong> {turn.content}
          </li>
        ))}
      </ol>
    )
  }
  return <p>{typeof value === 'string' ? value : Object.values(v).filter(Boolean).join(' · ')}</p>
}

/** What the user was doing, first thing in a chat: the error, the file, the diff… highlighted. */
export function ContextCard({ context }: { context: SessionContext }) {
  const parts = Object.keys(LABELS).filter((part) => (context as Record<string, unknown>)[part] !== undefined)
  return (
    <section className="context" aria-label="Context">
      {parts.map((part) => (
        <div key={part}>
          <h3>{LABELS[part]}</h3>
          <Part part={part} value={(context as Record<string, unknown>)[part]} />
        </div>
      ))}
    </section>
  )
}
