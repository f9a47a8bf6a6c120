import { useSignal } from '@preact/signals'
import type { Transaction } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import type { MessageKey } from '../../i18n/i18n.js'
import { useT, useWidget } from '../context.js'
import { errorKey } from '../form.js'
import { addStyles } from '../styles.js'
import { useStore } from '../use-store.js'
import css from './credits.css?inline'

/** The balance, a low-balance warning, the packs for sale (checkout opens in a new tab), and the ledger. */
export function Credits(): JSX.Element {
  addStyles(css)
  const widget = useWidget()
  const t = useT()
  const balance = useStore(widget.client.credits.$balance)
  const history = useSignal<Transaction[]>([])
  const status = useSignal('')
  /** The balance when a checkout opened: once it rises, the payment went through. */
  const paying = useRef<number>()
  const pricing = widget.pricing.value
  const locale = widget.i18n.locale.value

  useEffect(() => {
    if (balance !== undefined && balance > (paying.current ?? balance)) {
      paying.current = undefined
      status.value = ''
    }
    widget.loadPricing()
    widget.client.credits.transactions().then(
      (list) => (history.value = list),
      () => {},
    )
  }, [balance])

  const buy = async (packId: string) => {
    status.value = ''
    // Open the tab first, inside the click, so pop-up blockers allow it; then send it to checkout.
    const tab = window.open('', '_blank')
    if (tab) tab.opener = null
    try {
      const back = location.href
      const { url } = await widget.client.credits.checkout({ packId, successUrl: back, cancelUrl: back })
      if (tab) tab.location.href = url
      else location.assign(url)
      paying.current = balance
      status.value = t('paying')
    } catch (error) {
      tab?.close()
      status.value = t(errorKey(error))
    }
  }

  return (
    <section>
      <h3>
        {t('credits')}: {balance ?? '…'}
      </h3>
      {pricing &&
        balance !== undefined &&
        balance <= pricing.lowBalance &&
        balance >= pricing.costs.conversation && (
          <p class="banner warn" role="status">
            {t('lowBalance')}
          </p>
        )}
      <ul class="history">
        {pricing?.packs.map((pack) => (
          <li>
            <button type="button" class="row" onClick={() => buy(pack.id)}>
              <strong>{pack.name}</strong>
              <small>
                {t('buy', {
                  credits: pack.credits,
                  price: new Intl.NumberFormat(locale, {
                    style: 'currency',
                    currency: pack.currency.toUpperCase(),
                  }).format(pack.price / 100),
                })}
              </small>
            </button>
          </li>
        ))}
      </ul>
      {status.value && <p role="status">{status.value}</p>}
      <h3>{t('history')}</h3>
      <ul class="history">
        {history.value.map((tx) => (
          <li class="ledger">
            <span>{t(`tx_${tx.kind}` as MessageKey)}</span>
            <small>{new Date(tx.createdAt).toLocaleDateString(locale)}</small>
            <strong>{tx.amount > 0 ? `+${tx.amount}` : tx.amount}</strong>
          </li>
        ))}
      </ul>
    </section>
  )
}
