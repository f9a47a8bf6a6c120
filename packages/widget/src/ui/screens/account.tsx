import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { useWidget } from '../context.js'
import { addStyles } from '../styles.js'
import { useStore } from '../use-store.js'
import css from './account.css?inline'
import { AccountRights } from './account-rights.js'
import { ChooseNewPassword, Forgot } from './password-reset.js'
import { SignIn } from './sign-in.js'
import { SignUp } from './sign-up.js'

/**
 * Everything about the account, in one chunk loaded behind a click (or by a reset link): the signed-in
 * user's rights (see and correct their name and email, export, delete), and the steps of a password
 * account that come before a sign-in: create one, ask for a reset link, choose a new password. A
 * reset link opened while signed in still works (it signs in afresh); the other steps lead home once
 * someone is signed in.
 */
export function Account(): JSX.Element | null {
  addStyles(css)
  const widget = useWidget()
  const user = useStore(widget.client.$user)
  const view = widget.view.value
  const step = view.name === 'account' ? view.step : undefined
  const done = user !== null && step !== undefined && step !== 'reset'
  useEffect(() => {
    if (done) widget.show({ name: 'home' })
  }, [done])
  if (step === 'reset') return <ChooseNewPassword />
  if (done) return null
  if (step === 'signUp') return <SignUp />
  if (step === 'forgot') return <Forgot />
  return user ? <AccountRights /> : <SignIn />
}
