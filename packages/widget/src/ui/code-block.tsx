import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useT } from './context.js'

/** Code shown byte for byte as text, with its language and a copy button. Long lines scroll. */
export function CodeBlock({ language, content }: { language: string; content: string }): JSX.Element {
  const t = useT()
  const copied = useSignal(false)
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
        <code>{content}</code>
      </pre>
    </figure>
  )
}
