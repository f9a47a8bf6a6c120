import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useWidget } from './context.js'
import { ContextCard } from './context-card.js'
import { loadGuard, type loadSecrets } from './secret-guard.js'

/** Redacts each string of a value (never the value as JSON text). */
export type Redact = <T>(value: T) => T

/**
 * What the vendor brought (`open({ topic, context })`) on its way to a builder, for the new-session
 * and the ongoing-session screens: the context card, each part removable (the widget's context
 * follows), and `check`, which looks for secrets in the topic and the context before `share` runs.
 * With none, `share` runs at once; with some, `warning` asks what to do: redact, send as is, or cancel.
 */
export function useShare(
  topic: string,
  share: (redact?: Redact) => unknown,
): { check(): Promise<void>; card: JSX.Element | undefined; warning: JSX.Element | undefined } {
  const widget = useWidget()
  const context = widget.context.value
  const found = useSignal<{ kinds: string[]; guard: Awaited<ReturnType<typeof loadSecrets>> } | null>(null)
  const go = async (redact?: Redact) => {
    await share(redact)
    found.value = null
  }
  return {
    async check() {
      const guard = await loadGuard(widget.i18n).catch(() => undefined)
      const kinds = guard?.detectSecretsIn([topic, context]) ?? []
      if (guard && kinds.length > 0) found.value = { kinds, guard }
      else await share()
    },
    card:
      context && Object.keys(context)[0] ? (
        <ContextCard
          context={context}
          onRemove={(part) => {
            const { [part]: _removed, ...rest } = context
            widget.context.value = rest
          }}
        />
      ) : undefined,
    warning: found.value ? (
      <found.value.guard.SecretWarning
        kinds={found.value.kinds}
        onRedact={() => go(found.value?.guard.redactSecretsIn)}
        onSend={() => go()}
        onCancel={() => (found.value = null)}
      />
    ) : undefined,
  }
}
