import { useSignal } from '@preact/signals'
import type { ComponentChildren, JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Token } from '../highlight/highlight.js'
import { useT } from './context.js'

type Highlighter = typeof import('../highlight/highlight.js')
let highlighter: Promise<Highlighter> | undefined

/**
 * Code shown byte for byte as text, with its language and a copy button; long lines scroll.
 * Highlighting loads (its own small chunk) the first time a code block is shown; diffs show as diffs.
 */
export function CodeBlock({ language, content }: { language: string; content: string }): JSX.Element {
  const t = useT()
  const copied = useSignal(false)
  const lines = useSignal<ComponentChildren>(undefined)
  useEffect(() => {
    highlighter ??= import('../highlight/highlight.js')
    highlighter.then(
      (h) => {
        lines.value = h.isDiff(language, content)
          ? h.diffLines(content).map(([kind, line]) => <span class={`d-${kind}`}>{`${line}\n`}</span>)
          : h
              .highlight(content, language)
              .map(([kind, text]: Token) =>
                kind === 'plain' ? text : <span class={`t-${kind}`}>{text}</span>,
              )
      },
      () => {},
    )
  }, [language, content])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(content)
      copied.value = true
      setTimeout(() => {
        copied.value = false
      }, 1500)
    } catch {
      // Clipboard refused (permissions): the code stays selectable.
    }
  }
  return (
    <figure class="code">
      <figcaption>
        <span>{language || 'text'}</span>
        <button type="button" class="link" onClick={copy}>
          {copied.value ? t('copied') : t('copy')}
        </button>
      </figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (axe: scrollable-region-focusable) */}
      <pre tabIndex={0}>
        <code>{lines.value ?? content}</code>
      </pre>
    </figure>
  )
}
