import { useStore } from '@nanostores/preact'
import { useSignal } from '@preact/signals'
import { SuportraError, type Tool } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { Field, Form } from '../form.js'

const COST = 1

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

  useEffect(() => {
    widget.client.tools().then(
      (list) => {
        tools.value = list
        if (!list.some((x) => x.id === tool.value)) tool.value = list[0]?.id ?? ''
      },
      () => {},
    )
  }, [])

  const short = balance !== undefined && balance < COST
  const start = async () => {
    const session = await widget.client.sessions.start({
      tool: tool.value,
      topic: topic.value,
      ...(context && { context }),
    })
    widget.prefill.value = {}
    widget.started(session.$session.get() ?? (await session.refresh()))
    widget.show({ name: 'chat', id: session.id })
  }

  return (
    <section>
      <h3>{t('newTitle')}</h3>
      <Form
        submit={t('start')}
        action={start}
        describe={(error) =>
          SuportraError.isInstance(error) && error.code === 'insufficient_credits'
            ? t('noCredits', { cost: COST, balance: balance ?? 0 })
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
          <fieldset class="card">
            <legend>{t('context')}</legend>
            <dl>
              {Object.entries(context).map(([key, value]) => (
                <>
                  <dt>{key}</dt>
                  <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                </>
              ))}
            </dl>
          </fieldset>
        )}
        {balance !== undefined && (
          <p class={short ? 'error' : 'hint'}>
            {short ? t('noCredits', { cost: COST, balance }) : t('cost', { cost: COST, balance })}
          </p>
        )}
      </Form>
      <nav>
        <button type="button" class="link" onClick={() => widget.show({ name: 'history' })}>
          {t('pastSessions')}
        </button>
        <button type="button" class="link" onClick={() => widget.show({ name: 'audit' })}>
          {t('audit')}
        </button>
        <button type="button" class="link" onClick={widget.signOut}>
          {t('signOut')}
        </button>
      </nav>
    </section>
  )
}
