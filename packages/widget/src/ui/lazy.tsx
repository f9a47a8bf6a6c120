import { useSignal } from '@preact/signals'
import type { ComponentType, JSX } from 'preact'
import { useEffect } from 'preact/hooks'

/**
 * A screen loaded the first time it is shown (its own chunk), so opening the widget downloads only
 * what the first screens need. Renders nothing for the few milliseconds the chunk takes.
 */
export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
): (props: P) => JSX.Element | null {
  let loaded: ComponentType<P> | undefined
  let loading: Promise<ComponentType<P>> | undefined
  return function Lazy(props: P) {
    const ready = useSignal(loaded)
    useEffect(() => {
      if (ready.value) return
      loading ??= load().then((component) => (loaded = component))
      loading.then(
        (component) => (ready.value = component),
        () => (loading = undefined),
      )
    }, [])
    const Screen = ready.value
    return Screen ? <Screen {...props} /> : null
  }
}
