// Pieces both React examples (this app and the builder console) use to show a transcript. Everything is rendered as text nodes:
// message bodies never become HTML.
import type { Attachment, ChatMessage } from '@suportra/client'
import { useSuportra } from '@suportra/react'
import type { ReactNode } from 'react'

/** What a lifecycle event says; `claimed` names the builder who joined ("Grace Hopper joined"). */
const EVENTS: Record<string, (builder: string) => string> = {
  started: () => 'Session started',
  claimed: (builder) => `${builder} joined`,
  video: () => 'Upgraded to video',
  closed: () => 'Session closed',
  cancelled: () => 'Session cancelled',
  requeued: () => 'Back in the queue: waiting for another builder',
}

const FENCE = /^(`{3,}|~{3,})\s*[\w+#.-]*\s*$/

/**
 * Splits text on ``` fences, line by line (as the widget does): prose stays text, the lines between a
 * fence and its closing fence become a code block, byte for byte. An unclosed fence runs to the end.
 */
export function splitFences(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = []
  let prose: string[] = []
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const fence = (lines[i] ?? '').match(FENCE)
    if (!fence) {
      prose.push(lines[i] ?? '')
      continue
    }
    if (prose.join('').trim()) parts.push({ code: false, text: prose.join('\n') })
    prose = []
    const body: string[] = []
    while (++i < lines.length && !(lines[i] ?? '').startsWith(fence[1] ?? '```')) body.push(lines[i] ?? '')
    parts.push({ code: true, text: body.join('\n') })
  }
  if (prose.join('').trim()) parts.push({ code: false, text: prose.join('\n') })
  return parts
}

function TextWithCode({ text }: { text: string }) {
  return splitFences(text).map((part, i) =>
    part.code ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
      <pre key={i}>
        <code>{part.text}</code>
      </pre>
    ) : (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
      <p key={i}>{part.text}</p>
    ),
  )
}

function FileLink({ file }: { file: Attachment }) {
  const client = useSuportra()
  const save = async () => {
    const url = URL.createObjectURL(await client.download(file.url))
    const a = document.createElement('a')
    a.href = url
    a.download = file.name
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  return file.url ? (
    <button type="button" className="link" onClick={save}>
      📎 {file.name}
    </button>
  ) : (
    <span>📎 {file.name}</span>
  )
}

export function MessageView({
  message,
  mine,
  builderName,
  onRetry,
  renderPatch,
}: {
  message: ChatMessage
  mine: boolean
  /** The session's builder, named in "… joined" (`session.builder.name`). */
  builderName?: string | undefined
  onRetry?: () => void
  /** How a builder's patch shows (default: its description and the diff as text). */
  renderPatch?: (patch: NonNullable<ChatMessage['patch']>) => ReactNode
}) {
  if (message.kind === 'event') {
    return <li className="event">{EVENTS[message.body]?.(builderName ?? 'The builder') ?? message.body}</li>
  }
  return (
    <li className={`message ${mine ? 'mine' : 'theirs'} ${message.status}`}>
      <TextWithCode text={message.body} />
      {message.code && (
        <figure>
          <figcaption>{message.code.language || 'code'}</figcaption>
          <pre>
            <code>{message.code.content}</code>
          </pre>
        </figure>
      )}
      {message.patch &&
        (renderPatch?.(message.patch) ?? (
          <figure>
            <figcaption>Patch{message.patch.description ? `: ${message.patch.description}` : ''}</figcaption>
            <pre>
              <code>{message.patch.diff}</code>
            </pre>
          </figure>
        ))}
      {message.attachments.map((file) => (
        <FileLink key={file.id || file.name} file={file} />
      ))}
      {message.status === 'pending' && <small>sending…</small>}
      {message.status === 'failed' && (
        <small role="alert">
          not sent{message.error ? `: ${message.error.message}` : ''}{' '}
          <button type="button" className="link" onClick={onRetry}>
            retry
          </button>
        </small>
      )}
    </li>
  )
}

/** The API server's address: the page carries it in <meta name="suportra-url">. */
export function apiUrl(): string {
  return (
    document.querySelector<HTMLMetaElement>('meta[name="suportra-url"]')?.content ?? 'http://127.0.0.1:8787'
  )
}
