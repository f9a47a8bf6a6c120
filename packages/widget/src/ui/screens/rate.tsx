import { useSignal } from '@preact/signals'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { Field } from '../field.js'
import { Form } from '../form.js'
import { addStyles } from '../styles.js'
import css from './rate.css?inline'

/** One to five stars and an optional comment, once the session has ended. */
export function Rate({ id }: { id: string }): JSX.Element {
  addStyles(css)
  const widget = useWidget()
  const t = useT()
  // Nothing chosen at first: a careless Send must not rate 5 (it stays disabled until a star is picked).
  const score = useSignal(0)
  const comment = useSignal('')
  const done = useSignal(false)
  if (done.value) {
    return (
      <section>
        <h3>{t('thanks')}</h3>
        <button type="button" class="primary" onClick={() => widget.show({ name: 'new' })}>
          {t('newSession')}
        </button>
      </section>
    )
  }
  return (
    <section>
      <h3>{t('rateTitle')}</h3>
      <Form
        submit={t('submit')}
        disabled={!score.value}
        action={async () => {
          await widget.client.sessions
            .get(id)
            .rate({ score: score.value, ...(comment.value && { comment: comment.value }) })
          done.value = true
        }}
      >
        <fieldset class="stars">
          <legend class="sr">{t('rateTitle')}</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label>
              <input
                type="radio"
                name="score"
                value={n}
                checked={score.value === n}
                onChange={() => (score.value = n)}
              />
              <span aria-hidden="true">{n <= score.value ? '★' : '☆'}</span>
              <span class="sr">{t('stars', { score: n })}</span>
            </label>
          ))}
        </fieldset>
        <Field label="comment" multiline bind={comment} />
      </Form>
    </section>
  )
}
