import { useSignal } from '@preact/signals'
import { SuportraError } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'

/**
 * Email and password sign-in (vendors that identify their users never show this), with sign-up and
 * password reset where the app has password accounts.
 */
export function SignIn(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const email = useSignal('')
  const password = useSignal('')
  const accounts = useSignal(false)
  useEffect(() => {
    widget.client.auth.methods().then(
      (methods) => (accounts.value = methods.password),
      () => {},
    )
  }, [])
  return (
    <section>
      <h3>{t('signInTitle')}</h3>
      <Form
        submit={t('signIn')}
        action={() => widget.client.auth.signIn({ email: email.value, password: password.value })}
        describe={(error) =>
          SuportraError.isInstance(error) && error.code === 'unauthorized' ? t('wrongPassword') : undefined
        }
      >
        <Field label="email" type="email" required bind={email} />
        <Field label="password" type="password" required bind={password} />
      </Form>
      <nav>
        {accounts.value &&
          (['signUp', 'forgot'] as const).map((step) => (
            <button
              key={step}
              type="button"
              class="link"
              onClick={() => widget.show({ name: 'account', step })}
            >
              {t(step)}
            </button>
          ))}
        <button type="button" class="link" onClick={() => widget.show({ name: 'audit' })}>
          {t('audit')}
        </button>
      </nav>
    </section>
  )
}
