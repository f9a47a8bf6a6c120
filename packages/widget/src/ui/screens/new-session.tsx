import { useSignal } from '@preact/signals'
import { SuportraError, type Tool } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form, Go } from '../form.js'
import { lazy } from '../lazy.js'
import { type Redact, useShare } from '../use-share.js'
import { useStore } from '../use-store.js'

const AvailabilityNote = lazy(() => import('../availability.js').then((m) => m.AvailabilityNote))

/** Pick the tool, describe the blocker, see what is shared and what it costs, start. */
export function NewSession(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const balance = useStore(widget.client.credits.$balance)
  // The form's tool and topic live in the widget, so a vendor's `open({ tool, topic })` fills them in
  // at any time, also while the form is on screen.
  const { prefill } = widget
  const { tool = '', topic = '' } = prefill.value
  const set = (patch: { tool?: string; topic?: string }) => (prefill.value = { ...prefill.value, ...patch })
  /** The topic field reads and writes the prefill. */
  const topicField = {
    get value() {
      return topic
    },
    set value(next: string) {
      set({ topic: next })
    },
  }
  const tools = useSignal<Tool[]>([])
  const context = widget.context.value

  const cost = widget.pricing.value?.costs.conversation ?? 1
  useEffect(() => {
    widget.loadPricing()
    widget.client.tools().then(
      (list) => {
        tools.value = list
        if (!list.some((x) => x.id === prefill.value.tool)) set({ tool: list[0]?.id ?? '' })
      },
      () => {},
    )
  }, [])

  const short = balance !== undefined && balance < cost
  /** `redact` applies to each string of the topic and the context (never to them as JSON text). */
  const start = async (redact?: Redact) => {
    const shared = redact && context ? redact(context) : context
    const session = await widget.client.sessions.start({
      tool,
      topic: redact ? redact(topic) : topic,
      ...(shared && { context: shared }),
      // The away email links back here (the server keeps neither query nor fragment).
      returnUrl: location.href,
    })
    widget.prefill.value = {}
    widget.started(session.$session.get() ?? (await session.refresh()))
    widget.show({ name: 'chat', id: session.id })
  }
  /** Secrets in the topic or the context are caught before anything is sent; the user decides. */
  const share = useShare(topic, start)

  return (
    <section>
      <h3>{t('newTitle')}</h3>
      <AvailabilityNote />
      <Form
        submit={t('start')}
        action={share.check}
        disabled={short}
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
            value={tool}
            onChange={(e) => set({ tool: (e.currentTarget as HTMLSelectElement).value })}
          >
            {tools.value.map((x) => (
              <option value={x.id}>{x.name}</option>
            ))}
          </select>
        </label>
        <Field label="topic" multiline required hint={t('topicHint')} bind={topicField} />
        {share.card}
        {balance !== undefined && (
          <p class={short ? 'error' : 'hint'}>
            {short ? t('noCredits', { cost, balance }) : t('cost', { cost, balance })}
          </p>
        )}
        {short && <Go to="credits" label="buyCredits" />}
      </Form>
      {share.warning}
      <nav>
        <Go to="history" label="pastSessions" />
        <Go to="audit" label="audit" />
        <Go to="credits" label="credits" />
        <Go to="account" label="account" />
        <Go label="signOut" onClick={widget.signOut} />
      </nav>
    </section>
  )
}
