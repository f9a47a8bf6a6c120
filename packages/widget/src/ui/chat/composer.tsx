import { useSignal } from '@preact/signals'
import type { SessionHandle } from '@suportra/client'
import type { JSX } from 'preact'
import { useRef } from 'preact/hooks'
import { useT, useWidget } from '../context.js'
import { loadGuard, type loadSecrets } from '../secret-guard.js'

/** A message held back because it contains secrets, what was found, and the guard that found them. */
type Held = { text: string; files: File[]; kinds: string[]; guard: Awaited<ReturnType<typeof loadSecrets>> }

/**
 * Writing a message: Enter sends, Shift+Enter breaks the line; files come from the attach button,
 * a paste or a drop. Secrets in the text or in text files are caught first (redact, send anyway or
 * cancel); then the message shows at once as pending.
 */
export function Composer({ handle }: { handle: SessionHandle }): JSX.Element {
  const t = useT()
  const widget = useWidget()
  const text = useSignal('')
  const files = useSignal<File[]>([])
  const picker = useRef<HTMLInputElement>(null)

  /** A message held back because it contains secrets, what was found, and the dialog to ask with. */
  const held = useSignal<Held | null>(null)

  const deliver = (message: { text: string; files: File[] }) => {
    handle.send(message).catch(() => {})
    held.value = null
  }
  /**
   * When a message cannot be checked or redacted (a file that cannot be read, the detector not
   * loading), nothing is sent and it goes back in the composer, before anything typed since.
   */
  const restore = (message: { text: string; files: File[] }) => {
    text.value = text.value ? `${message.text}\n${text.value}` : message.text
    files.value = [...message.files, ...files.value]
    held.value = null
  }
  /** Takes the draft at once (a second Enter cannot send it twice), then looks for secrets in it. */
  const send = async () => {
    if (!text.value.trim() && files.value.length === 0) return
    const message = { text: text.value, files: files.value }
    text.value = ''
    files.value = []
    try {
      // The detector not loading does not keep the message back; a file that cannot be read does.
      const guard = await loadGuard(widget.i18n).catch(() => undefined)
      const kinds = guard ? await guard.findSecrets(message.text, message.files) : []
      if (guard && kinds.length > 0) held.value = { ...message, kinds, guard }
      else deliver(message)
    } catch {
      restore(message)
    }
  }
  const redactAndSend = async (message: Held) => {
    try {
      deliver(await message.guard.redactMessage(message))
    } catch {
      restore(message)
    }
  }
  /** The user's answer about a held message; only the first click counts (redacting takes a while). */
  const decide = <M,>(message: M, action: (message: M) => unknown) => {
    if (held.value !== message) return
    held.value = null
    action(message)
  }
  /** Cancel puts the message back in the composer to be edited. */
  const cancel = (message: { text: string; files: File[] }) => {
    text.value = message.text
    files.value = message.files
    held.value = null
  }

  const add = (list: FileList | null | undefined) => {
    if (list?.length) files.value = [...files.value, ...list]
  }

  const heldMessage = held.value
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault()
        send()
      }}
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault()
        add(event.dataTransfer?.files)
      }}
    >
      {heldMessage && (
        <heldMessage.guard.SecretWarning
          kinds={heldMessage.kinds}
          onRedact={() => decide(heldMessage, redactAndSend)}
          onSend={() => decide(heldMessage, deliver)}
          onCancel={() => decide(heldMessage, cancel)}
        />
      )}
      {files.value.length > 0 && (
        <ul class="files">
          {files.value.map((file) => (
            <li>
              {file.name}
              <button
                type="button"
                class="icon"
                aria-label={t('removePart', { part: file.name })}
                onClick={() => (files.value = files.value.filter((f) => f !== file))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <textarea
        aria-label={t('composer')}
        placeholder={t('composer')}
        rows={2}
        value={text.value}
        onInput={(event) => {
          text.value = event.currentTarget.value
          handle.typing()
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault()
            send()
          }
        }}
        onPaste={(event) => add(event.clipboardData?.files)}
      />
      <input ref={picker} type="file" multiple hidden onChange={(event) => add(event.currentTarget.files)} />
      <button type="button" class="icon" aria-label={t('attach')} onClick={() => picker.current?.click()}>
        +
      </button>
      <button type="submit" class="primary">
        {t('send')}
      </button>
    </form>
  )
}
