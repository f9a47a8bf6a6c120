import { useSignal } from '@preact/signals'
import type { SessionHandle } from '@suportra/client'
import type { JSX } from 'preact'
import { useRef } from 'preact/hooks'
import { useT } from '../context.js'

/**
 * Writing a message: Enter sends, Shift+Enter breaks the line; files come from the attach button,
 * a paste or a drop. Sending never waits: the message shows at once as pending.
 */
export function Composer({ handle }: { handle: SessionHandle }): JSX.Element {
  const t = useT()
  const text = useSignal('')
  const files = useSignal<File[]>([])
  const picker = useRef<HTMLInputElement>(null)

  const send = () => {
    if (!text.value.trim() && files.value.length === 0) return
    handle.send({ text: text.value, files: files.value }).catch(() => {})
    text.value = ''
    files.value = []
  }
  const add = (list: FileList | null | undefined) => {
    if (list?.length) files.value = [...files.value, ...list]
  }

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
      {files.value.length > 0 && (
        <ul class="files">
          {files.value.map((file) => (
            <li>{file.name}</li>
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
