import type { ChatMessage, SessionHandle } from '@suportra/client'
import type { JSX } from 'preact'
import type { MessageKey } from '../../i18n/i18n.js'
import { CodeBlock } from '../code-block.js'
import { useT, useWidget } from '../context.js'
import { Markdown } from '../markdown.js'

const EVENTS: Record<string, MessageKey> = {
  started: 'started',
  claimed: 'joined',
  closed: 'ended',
  cancelled: 'cancelled',
  video: 'video',
}

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** One message: an event line, or a bubble with text, code and files, and its delivery state. */
export function MessageItem(props: {
  message: ChatMessage
  handle: SessionHandle
  builderName: string
}): JSX.Element {
  const { message, handle } = props
  const t = useT()
  const widget = useWidget()
  if (message.kind === 'event') {
    const key = EVENTS[message.body]
    return <li class="event">{key ? t(key, { name: props.builderName }) : message.body}</li>
  }
  const mine = message.authorId === widget.client.$user.get()?.id
  return (
    <li class={`message ${mine ? 'mine' : 'theirs'} ${message.status}`}>
      <span class="sr">{mine ? t('you') : props.builderName}: </span>
      {message.body && <Markdown text={message.body} />}
      {message.code && <CodeBlock language={message.code.language} content={message.code.content} />}
      {message.attachments.length > 0 && (
        <ul class="files">
          {message.attachments.map((file) => (
            <li>
              {file.url ? (
                <button type="button" class="link" onClick={() => download(widget, file.url, file.name)}>
                  {file.name}
                </button>
              ) : (
                <span>{file.name}</span>
              )}{' '}
              <small>{size(file.size)}</small>
            </li>
          ))}
        </ul>
      )}
      {message.status === 'pending' && <small class="state">{t('pending')}</small>}
      {message.status === 'failed' && (
        <small class="state" role="alert">
          {t('failed')}
          {message.error && message.error.code !== 'network' ? `: ${message.error.message}` : ''}{' '}
          <button type="button" class="link" onClick={() => handle.retry(message.key).catch(() => {})}>
            {t('retry')}
          </button>{' '}
          <button type="button" class="link" onClick={() => handle.discard(message.key)}>
            {t('discard')}
          </button>
        </small>
      )}
    </li>
  )
}

/** Files need the participant's token, so they are fetched, then saved through a temporary link. */
async function download(widget: ReturnType<typeof useWidget>, url: string, name: string) {
  const blob = await widget.client.download(url)
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}
