import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { errorKey } from '../form.js'
import { save, useLater } from '../later.js'
import { useStore } from '../use-store.js'
import { AccountEdit } from './account-edit.js'

/**
 * The user's rights: see and correct their name and email (unless their app manages them), download
 * everything stored about them, or delete the account (asked twice).
 */
export function AccountRights(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const user = useStore(widget.client.$user)
  const balance = useStore(widget.client.credits.$balance)
  const confirming = useSignal(false)
  const editing = useSignal(false)
  const status = useSignal('')
  const error = useSignal('')
  const later = useLater()
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
  if (user && editing.value) {
    return (
      <section>
        <h3>{t('editAccount')}</h3>
        <AccountEdit
          user={user}
          done={(saved) => {
            editing.value = false
            status.value = saved ? t('saved') : ''
          }}
        />
      </section>
    )
  }
  return (
    <section>
      <h3>{t('account')}</h3>
      {user && (
        <p class="note">
          {user.name}
          <br />
          <small>{user.email}</small>
        </p>
      )}
      {status.value && (
        <p class="note" role="status">
          {status.value}
        </p>
      )}
      {user && !user.managed && (
        <button
          type="button"
          class="link"
          onClick={() => {
            status.value = ''
            editing.value = true
          }}
        >
          {t('editAccount')}
        </button>
      )}
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
