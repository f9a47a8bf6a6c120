import { useSignal } from '@preact/signals'
import { SuportraError, type User } from '@suportra/client'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { Field, Form } from '../form.js'

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
        <Field
          label={t('name')}
          name="name"
          required
          autocomplete="name"
          value={name.value}
          onInput={(v) => (name.value = v)}
        />
        <Field
          label={t('email')}
          name="email"
          type="email"
          required
          autocomplete="email"
          value={email.value}
          onInput={(v) => (email.value = v)}
        />
        <Field
          label={t('currentPassword')}
          name="password"
          type="password"
          required
          autocomplete="current-password"
          value={password.value}
          onInput={(v) => (password.value = v)}
        />
      </Form>
      <button type="button" class="link" onClick={() => done(false)}>
        {t('cancel')}
      </button>
    </>
  )
}
