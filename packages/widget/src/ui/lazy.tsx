import { useSignal } from '@preact/signals'
import type { ComponentType, JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Part } from '../i18n/i18n.js'
import { loadOnce } from '../load-once.js'
import { useT, useWidget } from './context.js'
import { Go } from './form.js'

/**
 * A part loaded the first time it is shown (its own chunk), so opening the widget downloads only
 * what the first screens need; its strings come with it (the catalogue's `strings` part: `later`
 * unless said). Says so while loading; if that fails (offline, a deploy that removed the chunk), says
 * so with a Retry button; a failed load is not kept.
 */
export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
  strings?: Part,
): (props: P) => JSX.Element | null {
  let loaded: ComponentType<P> | undefined
  const loadCode = loadOnce(() => load().then((component) => (loaded = component)))
  return function Lazy(props: P) {
    const t = useT()
    const { i18n } = useWidget()
    const ready = useSignal(i18n.complete(strings) ? loaded : undefined)
    const failed = useSignal(false)
    const start = () => {
      failed.value = false
      // The part and the strings it shows.
      Promise.all([loadCode(), i18n.more(strings)]).then(
        ([component]) => (ready.value = component),
        () => (failed.value = true),
      )
    }
    useEffect(() => {
      if (!ready.value) start()
    }, [])
    const Part = ready.value
    if (Part) return <Part {...props} />
    return (
      <p class="hint" role={failed.value ? 'alert' : 'status'}>
        {failed.value ? t('error') : t('loading')} {failed.value && <Go label="retry" onClick={start} />}
      </p>
    )
  }
}
