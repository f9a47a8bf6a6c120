import { useSignal } from '@preact/signals'
import { SuportraError } from '@suportra/client'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'

/** Whether a validation error from the server is about `field`. */
function isAbout(error: unknown, field: string): boolean {
  const issues = SuportraError.isInstance(error) ? error.details?.issues : undefined
  return Array.isArray(issues) && issues.some((issue: { path?: string }) => issue.path === field)
}

/** The free stack audit: no sign-in needed. */
export function Audit(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const email = useSignal(widget.client.$user.get()?.email ?? '')
  const building = useSignal('')
  const tools = useSignal('')
  const blockers = useSignal('')
  const sent = useSignal(false)
  if (sent.value) {
    return (
      <section>
        <h3>{t('auditSent')}</h3>
      </section>
    )
  }
  return (
    <section>
      <h3>{t('auditTitle')}</h3>
      <p class="hint">{t('auditIntro')}</p>
      <Form
        submit={t('submit')}
        describe={(error) => (isAbout(error, 'email') ? t('invalidEmail') : undefined)}
        action={async () => {
          await widget.client.audits.submit({
            email: email.value,
            building: building.value,
            tools: tools.value
              .split(',')
              .map((tool) => tool.trim())
              .filter(Boolean),
            blockers: blockers.value,
          })
          sent.value = true
        }}
      >
        <Field label="email" type="email" required bind={email} />
        <Field label="building" multiline required bind={building} />
        <Field label="tools" hint="Cursor, v0" bind={tools} />
        <Field label="blockers" multiline bind={blockers} />
      </Form>
    </section>
  )
}
