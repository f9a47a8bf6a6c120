import { useSignal } from '@preact/signals'
import type { Session, SessionHandle } from '@suportra/client'
import { SuportraError } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { addStyles } from '../styles.js'
import { useStore } from '../use-store.js'
import css from './video-confirm.css?inline'

/**
 * "Start a video call with Grace? Cost: 1 · Your credits: 2" with Start and Not now. Without enough
 * credits (known here, or answered by the server) it says so and offers to buy some.
 */
export function VideoConfirm(props: {
  handle: SessionHandle
  session: Session
  cost: number
  done: () => void
}): JSX.Element {
  addStyles(css)
  const widget = useWidget()
  const t = useT()
  const balance = useStore(widget.client.credits.$balance)
  const refused = useSignal<'credits' | 'error' | ''>('')
  const busy = useSignal(false)
  // The question gets the focus (read out first); a stray Enter cannot start a paid call.
  const question = useRef<HTMLParagraphElement>(null)
  useEffect(() => question.current?.focus(), [])
  const short = refused.value === 'credits' || (balance !== undefined && balance < props.cost)
  const values = {
    cost: props.cost,
    balance: balance ?? 0,
    name: props.session.builder?.name ?? t('builder'),
  }
  const confirm = async () => {
    busy.value = true
    refused.value = ''
    try {
      await props.handle.upgradeToVideo()
      props.done()
    } catch (error) {
      const poor = SuportraError.isInstance(error) && error.code === 'insufficient_credits'
      refused.value = poor ? 'credits' : 'error'
      // Spent elsewhere meanwhile (another tab): show the balance as it is now.
      if (poor) widget.client.credits.refresh().catch(() => {})
    } finally {
      busy.value = false
    }
  }
  return (
    // A fieldset, not a <section>: sections fill the panel's height (widget.css).
    <fieldset class="banner video" aria-labelledby="suportra-video">
      <p id="suportra-video" ref={question} tabIndex={-1}>
        {t('videoConfirm', values)}
      </p>
      {(short || refused.value) && (
        <p class="error" role="alert">
          {short ? t('videoNoCredits', values) : t('error')}{' '}
          {short && (
            <button type="button" class="link" onClick={() => widget.show({ name: 'credits' })}>
              {t('buyCredits')}
            </button>
          )}
        </p>
      )}
      <div>
        <button type="button" class="primary" disabled={busy.value || short} onClick={confirm}>
          {t('videoStart')}
        </button>
        <button type="button" class="link" onClick={props.done}>
          {t('notNow')}
        </button>
      </div>
    </fieldset>
  )
}
