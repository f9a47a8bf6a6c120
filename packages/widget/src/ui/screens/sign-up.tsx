import { useSignal } from '@preact/signals'
import { SuportraError } from '@suportra/client'
import { MIN_PASSWORD_LENGTH } from '@suportra/protocol/constants'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'

/** A new password account: name, email, password and the 16+ confirmation (the privacy policy's children clause). */
export function SignUp(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const name = useSignal('')
  const email = useSignal('')
  const password = useSignal('')
  const adult = useSignal(false)
  return (
    <section>
      <h3>{t('signUp')}</h3>
      <Form
        submit={t('signUp')}
        action={() =>
          widget.client.auth.signUp({
            name: name.value,
            email: email.value,
            password: password.value,
            ageConfirmed: adult.value as true,
          })
        }
        describe={(error) =>
          SuportraError.isInstance(error) && error.code === 'conflict' ? t('emailTaken') : undefined
        }
      >
        <Field label="name" required autocomplete="name" bind={name} />
        <Field label="email" type="email" required autocomplete="email" bind={email} />
        <Field
          label="password"
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autocomplete="new-password"
          bind={password}
        />
        <label class="check">
          <input
            type="checkbox"
            name="age"
            required
            checked={adult.value}
            onChange={(event) => (adult.value = event.currentTarget.checked)}
          />
          <span>{t('ageConfirm')}</span>
        </label>
      </Form>
    </section>
  )
}
