import type { ComponentChildren } from 'preact'
import { diffLines, highlight, isDiff } from '../highlight/highlight.js'
import css from './highlight.css?inline'
import { addStyles } from './styles.js'

/**
 * The highlighter's chunk: code as spans of text (never HTML), diffs as diffs, and the colours of their
 * tokens (added to the widget's styles the first time).
 */
export function render(language: string, content: string): ComponentChildren {
  addStyles(css)
  return isDiff(language, content)
    ? diffLines(content).map(([kind, line]) => <span class={`d-${kind}`}>{`${line}\n`}</span>)
    : highlight(content, language).map(([kind, text]) =>
        kind === 'plain' ? text : <span class={`t-${kind}`}>{text}</span>,
      )
}
