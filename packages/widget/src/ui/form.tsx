import { useSignal } from '@preact/signals'
import { SuportraError } from '@suportra/client'
import type { ComponentChildren, JSX } from 'preact'
import type { MessageKey } from '../i18n/i18n.js'
import type { View } from '../widget.js'
import { useT, useWidget } from './context.js'

/** The message to show for a failed call. */
export function errorKey(error: unknown): MessageKey {
  if (!SuportraError.isInstance(error)) return 'error'
  if (error.code === 'network' || error.code === 'server') return 'serverDown'
  return 'error'
}

/**
 * A form that runs `action` on submit, disables itself meanwhile, and shows what went wrong in an
 * alert (the server's own message when it gives one that fits).
 */
export function Form(props: {
  action: () => Promise<unknown>
  submit: string
  children: ComponentChildren
  describe?: (error: unknown) => string | undefined
  /** The submit button is disabled (say why next to it). */
  disabled?: boolean
}): JSX.Element {
  const t = useT()
  const busy = useSignal(false)
  const error = useSignal('')
  const onSubmit = async (event: Event) => {
    event.preventDefault()
    busy.value = true
    error.value = ''
    try {
      await props.action()
    } catch (caught) {
      error.value = props.describe?.(caught) ?? t(errorKey(caught))
    } finally {
      busy.value = false
    }
  }
  return (
    <form onSubmit={onSubmit}>
      {props.children}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy.value || props.disabled}>
        {props.submit}
      </button>
    </form>
  )
}

/** A link-styled button labelled from the catalogue: to another screen (one without an id), or doing `onClick`. */
export function Go(props: {
  label: MessageKey
  to?: Exclude<View, { id: string }>['name']
  onClick?: () => unknown
}): JSX.Element {
  const widget = useWidget()
  return (
    <button
      type="button"
      class="link"
      onClick={props.onClick ?? (() => widget.show({ name: props.to as 'home' }))}
    >
      {widget.i18n.t(props.label)}
    </button>
  )
}
