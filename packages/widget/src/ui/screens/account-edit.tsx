import { useSignal } from '@preact/signals'
import { SuportraError, type User } from '@suportra/client'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'

/** Changes the name and email (the right to correct them), confirmed with the current password. */
export function AccountEdit({ user, done }: { user: User; done: (saved: boolean) => void }): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const name = useSignal(user.name)
  const email = useSignal(user.email ?? '')
  const password = useSignal('')
  return (
    <>
      <Form
        submit={t('save')}
        action={async () => {
          await widget.client.account.update({
            name: name.value,
            email: email.value,
            password: password.value,
          })
          done(true)
        }}
        describe={(error) => {
          if (!SuportraError.isInstance(error)) return undefined
          if (error.code === 'conflict') return t('emailTaken')
          return error.details?.reason === 'password' ? t('notYourPassword') : undefined
        }}
      >
        <Field label="name" required autocomplete="name" bind={name} />
        <Field label="email" type="email" required autocomplete="email" bind={email} />
        <Field
          label="currentPassword"
          name="password"
          type="password"
          required
          autocomplete="current-password"
          bind={password}
        />
      </Form>
      <button type="button" class="link" onClick={() => done(false)}>
        {t('cancel')}
      </button>
    </>
  )
}
