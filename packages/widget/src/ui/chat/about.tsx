import { useSignal } from '@preact/signals'
import type { Session } from '@suportra/client'
import type { JSX } from 'preact'
import { ContextCard } from '../context-card.js'

/**
 * What the session is about, in one line so the transcript keeps the panel: the topic, then tool ·
 * file · error. The heading's button shows the whole topic and context (scrolling in their own block).
 */
export function About({ session }: { session: Session }): JSX.Element {
  const open = useSignal(false)
  const { topic } = session
  const context = session.context ?? {}
  // `file` and `error` may be strings (a path, a message) or objects. (The line shows a message's first
  // line: its line breaks are spaces there, and what does not fit ends in an ellipsis.)
  const { file, error } = context as { file?: { path?: string }; error?: { message?: string } }
  const summary = [
    session.tool,
    (file?.path ?? (file as string | undefined))?.split('/').pop(),
    error?.message ?? error,
  ]
  return (
    <>
      <h3 class="about">
        <button
          type="button"
          class="card"
          aria-expanded={open.value}
          onClick={() => (open.value = !open.value)}
        >
          {/* The user's and the vendor's words, in their own direction (an English topic in an Arabic panel). */}
          <strong dir="auto">{topic}</strong>
          <small dir="auto">{summary.filter(Boolean).join(' · ')}</small>
        </button>
      </h3>
      {open.value && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (axe: scrollable-region-focusable)
        <div class="more" tabIndex={0}>
          <p>{topic}</p>
          {Object.keys(context)[0] && <ContextCard context={context} />}
        </div>
      )}
    </>
  )
}
