import { useSignal } from '@preact/signals'
import type { ComponentChildren, JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useT } from './context.js'
import { useLater } from './later.js'

type Highlighter = typeof import('./highlight.js')
let highlighter: Promise<Highlighter> | undefined

/**
 * Code shown byte for byte as text, with its language and a copy button; long lines scroll.
 * Highlighting loads (its own small chunk) the first time a code block is shown; diffs show as diffs.
 */
export function CodeBlock({ language, content }: { language: string; content: string }): JSX.Element {
  const t = useT()
  const copied = useSignal(false)
  const lines = useSignal<ComponentChildren>(undefined)
  const later = useLater()
  useEffect(() => {
    // Unlabelled text that is not a diff (an error's stack, say) has nothing to highlight: opening the
    // widget with such a context downloads no highlighter.
    if (!language && !/^(?:diff --git|@@ -\d)/m.test(content)) return
    highlighter ??= import('./highlight.js')
    highlighter.then(
      (h) => (lines.value = h.render(language, content)),
      () => {},
    )
  }, [language, content])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(content)
      copied.value = true
      later(() => (copied.value = false), 1500)
    } catch {
      // Clipboard refused (permissions): the code stays selectable.
    }
  }
  return (
    <figure class="code">
      <figcaption>
        <span>{language || t('plainText')}</span>
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
