import { useSignal } from '@preact/signals'
import { MAX_TEXT_LENGTH } from '@suportra/protocol/constants'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { errorKey, Form, Go } from '../form.js'
import { type Redact, useShare } from '../use-share.js'
import { useStore } from '../use-store.js'

/**
 * `open({ topic, context })` while a session is going: the user sees that session and what the vendor
 * brought, and adds it to the session as a message (secrets caught first, as anywhere), or ends the
 * session to start a new one with it, or goes back to the chat. Nothing is dropped without them.
 */
export function Ongoing({ id }: { id: string }): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const handle = widget.client.sessions.get(id)
  const session = useStore(handle.$session)
  const { topic = '' } = widget.prefill.value
  const context = widget.context.value
  const hasContext = Boolean(context && Object.keys(context)[0])
  const error = useSignal('')

  /** The topic as the text, the context as JSON: a code block, or a file when it is longer than a message may be. */
  const add = (redact: Redact = (value) => value) => {
    const json = hasContext ? JSON.stringify(redact(context), null, 2) : ''
    const extra = !json
      ? {}
      : json.length > MAX_TEXT_LENGTH
        ? { files: [new File([json], 'context.json', { type: 'application/json' })] }
        : { code: { language: 'json', content: json } }
    handle.send({ text: redact(topic), ...extra }).catch(() => {})
    widget.prefill.value = {}
    widget.show({ name: 'chat', id })
  }
  /** Secrets in the topic or the context are caught before it is added; the user decides. */
  const share = useShare(topic, add)
  /** Ends the session (withdraws it while nobody has joined); the new-session form then has the prefill. */
  const end = async () => {
    error.value = ''
    try {
      await (session?.status === 'waiting' ? handle.cancel() : handle.close())
      widget.show({ name: 'home' })
    } catch (caught) {
      error.value = t(errorKey(caught))
    }
  }

  return (
    <section>
      <h3>{t('ongoingTitle')}</h3>
      <p class="hint">{t('ongoingText', { topic: session?.topic ?? '' })}</p>
      <Form submit={t('addToSession')} action={share.check}>
        {topic && <p class="card">{topic}</p>}
        {share.card}
      </Form>
      {share.warning}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <nav>
        <button type="button" class="link" onClick={end}>
          {t('endAndStart')}
        </button>
        <Go to="home" label="cancel" />
      </nav>
    </section>
  )
}
