import type { ChatMessage, SessionHandle } from '@suportra/client'
import { MAX_ATTACHMENT_BYTES, MAX_TEXT_LENGTH } from '@suportra/protocol/constants'
import type { JSX } from 'preact'
import type { MessageKey } from '../../i18n/i18n.js'
import { CodeBlock } from '../code-block.js'
import { useT, useWidget } from '../context.js'
import { Go } from '../form.js'
import { save, useLater } from '../later.js'
import { lazy } from '../lazy.js'
import { Markdown } from '../markdown.js'

/** A builder's patch: its own chunk, loaded when a patch is first shown. */
const PatchCard = lazy(() => import('./patch-card.js').then((m) => m.PatchCard))

const EVENTS: Record<string, MessageKey> = {
  started: 'started',
  claimed: 'joined',
  closed: 'ended',
  cancelled: 'cancelled',
  video: 'video',
  // The builder was deactivated by the operator: the session is back in the queue.
  requeued: 'waiting',
}

const MB = 1024 * 1024

/** "2 KB", "1,5 MB"…: the unit and the number in the widget's language. */
const size = (bytes: number, locale: string) =>
  new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: bytes < MB ? 'kilobyte' : 'megabyte',
    maximumFractionDigits: bytes < MB ? 0 : 1,
  }).format(bytes < MB ? Math.ceil(bytes / 1024) : bytes / MB)

/** Why a message was not sent, in the user's language (the error's own text when no entry fits). */
const REASONS: Partial<Record<string, MessageKey>> = {
  rate_limited: 'rateLimited',
  unauthorized: 'signInAgain',
  forbidden: 'sessionEnded',
  not_found: 'sessionEnded',
  conflict: 'sessionEnded',
  server: 'serverDown',
  protocol: 'error',
}
/** Failures that sending again cannot fix: the message is refused as it is, or the session is over. */
const FINAL = /^(validation|forbidden|not_found|conflict)$/
function reason(message: ChatMessage, t: ReturnType<typeof useT>, locale: string): string {
  const { error } = message
  if (!error || error.code === 'network') return ''
  const key =
    error.code === 'validation' && message.body.length > MAX_TEXT_LENGTH
      ? 'tooLong'
      : error.code === 'validation' && message.attachments.some((file) => file.size > MAX_ATTACHMENT_BYTES)
        ? 'tooLarge'
        : REASONS[error.code]
  const max = key === 'tooLarge' ? size(MAX_ATTACHMENT_BYTES, locale) : MAX_TEXT_LENGTH.toLocaleString(locale)
  return `: ${key ? t(key, { max }) : error.message}`
}

/** One message: an event line, or a bubble with text, code and files, and its delivery state. */
export function MessageItem(props: {
  message: ChatMessage
  handle: SessionHandle
  builderName: string
  /** The newest of the user's messages the other side has read: it says "Read". */
  read?: boolean
}): JSX.Element {
  const { message, handle } = props
  const t = useT()
  const widget = useWidget()
  const later = useLater()
  const locale = widget.i18n.locale.value
  const uploads = message.status === 'pending' ? [...widget.uploads.value] : []
  if (message.kind === 'event') {
    const key = EVENTS[message.body]
    return <li class="event">{key ? t(key, { name: props.builderName }) : message.body}</li>
  }
  // What a failed message and an upload say is in the catalogue's later part: it comes with the first
  // send (the secret check loads it), or here for a message left unsent before a reload.
  if (message.status !== 'sent') widget.i18n.more().catch(() => {})
  const mine = message.authorId === widget.client.$user.get()?.id
  return (
    <li class={`message ${mine ? 'mine' : 'theirs'} ${message.status}`}>
      <span class="sr">{mine ? t('you') : props.builderName}: </span>
      {message.body && <Markdown text={message.body} />}
      {message.code && <CodeBlock language={message.code.language} content={message.code.content} />}
      {message.patch && <PatchCard message={message} handle={handle} />}
      {message.attachments.length > 0 && (
        <ul class="files">
          {message.attachments.map((file) => {
            // The composer sent this File: its upload is the one with the same name and size.
            const up = uploads.find(
              ([blob]) => (blob as File).name === file.name && blob.size === file.size,
            )?.[1]
            return (
              <li>
                {file.url ? (
                  <button
                    type="button"
                    class="link"
                    onClick={async () => save(await widget.client.download(file.url), file.name, later)}
                  >
                    {file.name}
                  </button>
                ) : (
                  <span>{file.name}</span>
                )}{' '}
                <small>{size(file.size, locale)}</small>
                {up && (
                  <progress
                    max={up.total || 1}
                    value={up.loaded}
                    aria-label={t('uploading', {
                      name: file.name,
                      percent: Math.round((100 * up.loaded) / (up.total || 1)),
                    })}
                  />
                )}
              </li>
            )
          })}
        </ul>
      )}
      {message.status === 'pending' && <small class="state">{t('pending')}</small>}
      {props.read && <small class="state">{t('read')}</small>}
      {message.status === 'failed' && (
        <small class="state" role="alert">
          {t('failed')}
          {reason(message, t, locale)}{' '}
          {!FINAL.test(message.error?.code ?? '') && (
            <Go label="retry" onClick={() => handle.retry(message.key).catch(() => {})} />
          )}{' '}
          <Go label="discard" onClick={() => handle.discard(message.key)} />
        </small>
      )}
    </li>
  )
}
