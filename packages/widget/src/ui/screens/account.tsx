import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { errorKey } from '../form.js'
import { save, useLater } from '../later.js'
import { useStore } from '../use-store.js'

/** The user's rights: download everything stored about them, or delete the account (asked twice). */
export function Account(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const confirming = useSignal(false)
  const error = useSignal('')
  const later = useLater()
  const balance = useStore(widget.client.credits.$balance)
  const run = async (action: () => Promise<unknown>) => {
    error.value = ''
    try {
      await action()
    } catch (caught) {
      error.value = t(errorKey(caught))
    }
  }
  const download = async () => {
    const data = await widget.client.account.export()
    save(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), 'suportra-data.json', later)
  }
  return (
    <section>
      <h3>{t('account')}</h3>
      <button type="button" class="primary" onClick={() => run(download)}>
        {t('exportData')}
      </button>
      {confirming.value ? (
        <div class="banner warn" role="alert">
          <p>{t('deleteWarn')}</p>
          {balance ? <p>{t('forfeit', { count: balance })}</p> : null}
          <button
            type="button"
            class="primary danger"
            onClick={() => run(() => widget.client.account.delete())}
          >
            {t('confirmDelete')}
          </button>
          <button type="button" class="link" onClick={() => (confirming.value = false)}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <button type="button" class="link" onClick={() => (confirming.value = true)}>
          {t('deleteAccount')}
        </button>
      )}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
    </section>
  )
}
