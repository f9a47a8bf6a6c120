import { useSignal } from '@preact/signals'
import { SuportraError } from '@suportra/client'
import { MIN_PASSWORD_LENGTH, PASSWORD_RESET_MINUTES } from '@suportra/protocol/constants'
import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'

/**
 * Asks for a reset link. The link opens this page again (the server only sends it to a page on the
 * app's allowed origins) with the token in its fragment; the widget then opens on "choose a new
 * password". The answer is the same whether or not the address has an account, and so is this screen.
 */
export function Forgot(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const email = useSignal('')
  const sent = useSignal('')
  if (sent.value) {
    return (
      <section>
        <h3>{t('forgot')}</h3>
        <p class="note" role="status">
          {/* The address isolated (FSI … PDI), so right-to-left text does not reorder its parts. */}
          {t('linkSent', { email: `\u2068${sent.value}\u2069`, minutes: PASSWORD_RESET_MINUTES })}
        </p>
      </section>
    )
  }
  return (
    <section>
      <h3>{t('forgot')}</h3>
      <Form
        submit={t('sendLink')}
        action={async () => {
          await widget.client.auth.requestPasswordReset({ email: email.value })
          sent.value = email.value
        }}
      >
        <Field label="email" type="email" required autocomplete="email" bind={email} />
      </Form>
    </section>
  )
}

/** Whether `error` says the reset link is unknown, used or expired. */
const isStale = (error: unknown) => SuportraError.isInstance(error) && error.details?.reason === 'reset_link'

/**
 * The token of a reset link (`#suportra-reset=<token>`), taken out of the address bar and the
 * history entry (a bookmark, a shared URL or a later visitor of this tab must not carry it); '' when
 * there is none.
 */
function takeToken(): string {
  const found = /[#&]suportra-reset=([\w-]+)/.exec(location.hash)
  if (!found) return ''
  history.replaceState(history.state, '', location.href.replace(found[0], ''))
  return found[1] as string
}

/** "Choose a new password", with the token from the link; signs in (and ends every other sign-in). */
export function ChooseNewPassword(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const [token] = useState(takeToken)
  const password = useSignal('')
  const stale = useSignal(!token)
  const askAgain = stale.value && (
    <nav>
      <button type="button" class="link" onClick={() => widget.show({ name: 'account', step: 'forgot' })}>
        {t('askAgain')}
      </button>
    </nav>
  )
  if (!token) {
    // The link was already taken from the address bar (this screen was left and opened again).
    return (
      <section>
        <h3>{t('newPassword')}</h3>
        <p class="note" role="alert">
          {t('linkExpired')}
        </p>
        {askAgain}
      </section>
    )
  }
  return (
    <section>
      <h3>{t('newPassword')}</h3>
      <Form
        submit={t('savePassword')}
        action={async () => {
          try {
            await widget.client.auth.resetPassword({ token, password: password.value })
          } catch (error) {
            stale.value = isStale(error)
            throw error
          }
          widget.show({ name: 'home' })
        }}
        describe={(error) => (isStale(error) ? t('linkExpired') : undefined)}
      >
        <Field
          label="password"
          type="password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          autocomplete="new-password"
          bind={password}
        />
      </Form>
      {askAgain}
    </section>
  )
}
