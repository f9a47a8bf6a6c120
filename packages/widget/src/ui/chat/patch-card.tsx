import { useSignal } from '@preact/signals'
import type { ChatMessage, SessionHandle } from '@suportra/client'
import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { PatchOutcome } from '../../widget.js'
import { CodeBlock } from '../code-block.js'
import { useT, useWidget } from '../context.js'
import { addStyles } from '../styles.js'
import { useStore } from '../use-store.js'
import css from './patch-card.css?inline'

/** Longest failure detail a patch result carries (the server's limit). */
const MAX_DETAIL = 2_000

/** Runs the vendor's handler; a throw or an odd answer is a failure, with what can be said of it. */
async function outcomeOf(run: () => PatchOutcome | Promise<PatchOutcome>): Promise<PatchOutcome> {
  try {
    const outcome = await run()
    return outcome?.applied === true ? { applied: true } : { applied: false, detail: outcome?.detail }
  } catch (error) {
    return { applied: false, detail: (error as Error)?.message ?? String(error) }
  }
}

/**
 * A builder's patch (its own chunk, loaded when a patch is first shown): what it does, the diff
 * (highlighted as a diff, with Copy), and "Apply in <tool>" when the vendor registered
 * `on('patch')`. What the handler answers goes back to the builder as "Patch applied" or "Patch
 * failed: …", and shows here.
 */
export function PatchCard({
  message,
  handle,
}: {
  message: ChatMessage
  handle: SessionHandle
}): JSX.Element | null {
  addStyles(css)
  const t = useT()
  const widget = useWidget()
  const messages = useStore(handle.$messages)
  const session = useStore(handle.$session)
  const tool = useSignal('')
  const busy = useSignal(false)
  const handler = widget.patchHandler.value
  useEffect(() => {
    widget.client.tools().then(
      (tools) => (tool.value = tools.find((x) => x.id === session?.tool)?.name ?? ''),
      () => {},
    )
  }, [session?.tool])
  const patch = message.patch
  // Shown only as text: the schema does not check a patch (see the protocol's Message).
  if (typeof patch?.diff !== 'string') return null
  const result = messages.findLast((m) => m.patchResult?.messageId === message.id)?.patchResult
  const apply = async () => {
    if (!handler || busy.value) return
    busy.value = true
    const { applied, detail } = await outcomeOf(() => handler({ patch, message, session }))
    const why = applied ? undefined : String(detail ?? '').slice(0, MAX_DETAIL) || undefined
    await handle
      .send({
        text: applied ? 'Patch applied' : `Patch failed: ${why ?? ''}`,
        patchResult: { messageId: message.id, applied, ...(why && { detail: why }) },
      })
      .catch(() => {})
    busy.value = false
  }
  return (
    // A fieldset, not a <section>: sections fill the panel's height (widget.css).
    <fieldset class="patch" aria-label={t('patch')}>
      {patch.description && <p>{patch.description}</p>}
      <CodeBlock language="diff" content={patch.diff} />
      <div class="actions">
        {handler && message.author === 'builder' && session?.status === 'active' && !result?.applied && (
          <button type="button" class="primary" disabled={busy.value} onClick={apply}>
            {busy.value ? t('applying') : t('applyIn', { tool: tool.value || session.tool })}
          </button>
        )}
        {result && (
          <small class="state" role="status">
            {result.applied ? t('patchApplied') : t('patchFailed', { detail: result.detail ?? '' })}
          </small>
        )}
      </div>
    </fieldset>
  )
}
