import { useSignal } from '@preact/signals'
import { SuportraError, type Tool } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { ContextCard } from '../context-card.js'
import { Field, Form } from '../form.js'
import { loadGuard, type loadSecrets } from '../secret-guard.js'
import { useStore } from '../use-store.js'

/** Pick the tool, describe the blocker, see what is shared and what it costs, start. */
export function NewSession(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const balance = useStore(widget.client.credits.$balance)
  const prefill = widget.prefill.value
  const tools = useSignal<Tool[]>([])
  const tool = useSignal(prefill.tool ?? '')
  const topic = useSignal(prefill.topic ?? '')
  const context = widget.context.value

  const cost = widget.pricing.value?.costs.conversation ?? 1
  useEffect(() => {
    widget.loadPricing()
    widget.client.tools().then(
      (list) => {
        tools.value = list
        if (!list.some((x) => x.id === tool.value)) tool.value = list[0]?.id ?? ''
      },
      () => {},
    )
  }, [])

  const short = balance !== undefined && balance < cost
  /** Secrets found in the topic or the context, and the dialog to ask with. */
  const found = useSignal<{ kinds: string[]; guard: Awaited<ReturnType<typeof loadSecrets>> } | null>(null)
  /** `redact` applies to each string of the topic and the context (never to them as JSON text). */
  const start = async (redact?: <T>(value: T) => T) => {
    const shared = redact && context ? redact(context) : context
    const session = await widget.client.sessions.start({
      tool: tool.value,
      topic: redact ? redact(topic.value) : topic.value,
      ...(shared && { context: shared }),
    })
    found.value = null
    widget.prefill.value = {}
    widget.started(session.$session.get() ?? (await session.refresh()))
    widget.show({ name: 'chat', id: session.id })
  }
  /** Secrets in the topic or the context are caught before anything is sent; the user decides. */
  const check = async () => {
    const guard = await loadGuard(widget.i18n).catch(() => undefined)
    const kinds = guard?.detectSecretsIn([topic.value, context]) ?? []
    if (guard && kinds.length > 0) found.value = { kinds, guard }
    else await start()
  }

  return (
    <section>
      <h3>{t('newTitle')}</h3>
      <Form
        submit={t('start')}
        action={check}
        describe={(error) =>
          SuportraError.isInstance(error) && error.code === 'insufficient_credits'
            ? t('noCredits', { cost, balance: balance ?? 0 })
            : undefined
        }
      >
        <label class="field">
          <span>{t('tool')}</span>
          <select
            name="tool"
            value={tool.value}
            onChange={(e) => (tool.value = (e.currentTarget as HTMLSelectElement).value)}
          >
            {tools.value.map((x) => (
              <option value={x.id}>{x.name}</option>
            ))}
          </select>
        </label>
        <Field
          label={t('topic')}
          name="topic"
          multiline
          required
          hint={t('topicHint')}
          value={topic.value}
          onInput={(v) => (topic.value = v)}
        />
        {context && Object.keys(context).length > 0 && (
          <ContextCard
            context={context}
            onRemove={(part) => {
              const { [part]: _removed, ...rest } = context
              widget.context.value = rest
            }}
          />
        )}
        {balance !== undefined && (
          <p class={short ? 'error' : 'hint'}>
            {short ? t('noCredits', { cost, balance }) : t('cost', { cost, balance })}
          </p>
        )}
        {short && (
          <button type="button" class="link" onClick={() => widget.show({ name: 'credits' })}>
            {t('buyCredits')}
          </button>
        )}
      </Form>
      {found.value && (
        <found.value.guard.SecretWarning
          kinds={found.value.kinds}
          onRedact={() => start(found.value?.guard.redactSecretsIn)}
          onSend={() => start()}
          onCancel={() => (found.value = null)}
        />
      )}
      <nav>
        <button type="button" class="link" onClick={() => widget.show({ name: 'history' })}>
          {t('pastSessions')}
        </button>
        <button type="button" class="link" onClick={() => widget.show({ name: 'audit' })}>
          {t('audit')}
        </button>
        <button type="button" class="link" onClick={() => widget.show({ name: 'credits' })}>
          {t('credits')}
        </button>
        <button type="button" class="link" onClick={() => widget.show({ name: 'account' })}>
          {t('account')}
        </button>
        <button type="button" class="link" onClick={widget.signOut}>
          {t('signOut')}
        </button>
      </nav>
    </section>
  )
}
