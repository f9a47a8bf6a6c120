import { diffLines, highlight, isDiff } from '../highlight/highlight.js'
import css from './highlight.css?inline'
import { addStyles } from './styles.js'

/** The highlighter's chunk: the tokenizer and the colours of its tokens. */
export { diffLines, highlight, isDiff }
export const colours = () => addStyles(css)
