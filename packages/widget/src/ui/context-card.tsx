import type { SessionContext } from '@suportra/client'
import { CONTEXT_PARTS, type ContextPart } from '@suportra/protocol/constants'
import type { JSX } from 'preact'
import type { MessageKey } from '../i18n/i18n.js'
import { CodeBlock } from './code-block.js'
import { useT } from './context.js'

function Value({ part, value }: { part: ContextPart; value: unknown }): JSX.Element {
  const v = value as Record<string, string | undefined> & { role?: string }
  if (typeof value === 'string') {
    return part === 'url' || part === 'file' ? (
      <span>{value}</span>
    ) : (
      <CodeBlock language={part === 'diff' ? 'diff' : part === 'terminal' ? 'sh' : ''} content={value} />
    )
  }
  if (part === 'error')
    return <CodeBlock language="" content={[v.message, v.stack].filter(Boolean).join('\n')} />
  if (part === 'file') {
    return (
      <>
        <span>{v.path}</span>
        {v.content && (
          <CodeBlock language={v.language ?? v.path?.split('.').pop() ?? ''} content={v.content} />
        )}
      </>
    )
  }
  if (part === 'conversation' && Array.isArray(value)) {
    return (
      <ol class="turns">
        {(value as { role: string; content: string }[]).map((turn) => (
          <li>
            <strong>{turn.role}:</strong> {turn.content}
          </li>
        ))}
      </ol>
    )
  }
  return <span>{Object.values(v).filter(Boolean).join(' · ')}</span>
}

/**
 * What will be shared with the builder, part by part; each part can be removed before starting. Part
 * of the core, not a lazy chunk: the demo's flow and most vendors pass a context on open.
 */
export function ContextCard(props: {
  context: SessionContext
  onRemove?: (part: ContextPart) => void
}): JSX.Element {
  const t = useT()
  const parts = CONTEXT_PARTS.filter((part) => props.context[part] !== undefined)
  return (
    <fieldset class="card">
      <legend>{t('context')}</legend>
      <dl>
        {parts.map((part) => (
          <div key={part}>
            <dt>
              {t(`part_${part}` as MessageKey)}
              {props.onRemove && (
                <button
                  type="button"
                  class="icon"
                  aria-label={t('removePart', { part: t(`part_${part}` as MessageKey) })}
                  onClick={() => props.onRemove?.(part)}
                >
                  ×
                </button>
              )}
            </dt>
            <dd>
              <Value part={part} value={props.context[part]} />
            </dd>
          </div>
        ))}
      </dl>
    </fieldset>
  )
}
