import type { JSX } from 'preact'
import type { MessageKey } from '../i18n/i18n.js'
import { useT } from './context.js'

/** What a field reads and writes: a signal, or anything with the same `value`. */
export interface Binding {
  value: string
}

/**
 * A labelled input bound to `bind` (it shows its value and writes what is typed back to it); the
 * label comes from the catalogue, the `name` defaults to its key, `multiline` makes it a textarea.
 */
export function Field(props: {
  label: MessageKey
  bind: Binding
  name?: string
  type?: string
  multiline?: boolean
  required?: boolean
  hint?: string
  autocomplete?: string
  minLength?: number
}): JSX.Element {
  const t = useT()
  const { label, bind, multiline, hint, name = label, ...rest } = props
  const attributes = {
    ...rest,
    name,
    value: bind.value,
    placeholder: hint,
    onInput: (event: Event) => (bind.value = (event.currentTarget as HTMLInputElement).value),
  }
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the input or textarea is inside the label
    <label class="field">
      <span>{t(label)}</span>
      {multiline ? (
        <textarea {...attributes} rows={4} />
      ) : (
        <input {...attributes} type={rest.type ?? 'text'} />
      )}
    </label>
  )
}
