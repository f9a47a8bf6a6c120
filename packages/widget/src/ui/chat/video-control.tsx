import { useSignal } from '@preact/signals'
import type { Session, SessionHandle } from '@suportra/client'
import type { JSX } from 'preact'
import { useT, useWidget } from '../context.js'
import { lazy } from '../lazy.js'

// The confirmation loads (with its strings) the first time someone asks for video.
const VideoConfirm = lazy(() => import('./video-confirm.js').then((m) => m.VideoConfirm))

/**
 * Video in a chat: once it is a video session, "Join video" opens the meeting in a new tab; before
 * that, the user may ask for it (its cost from the server's pricing), and confirms first.
 */
export function VideoControl({
  handle,
  session,
}: {
  handle: SessionHandle
  session: Session
}): JSX.Element | null {
  const widget = useWidget()
  const t = useT()
  const asking = useSignal(false)
  if (session.status !== 'active') return null
  if (session.meetingUrl) {
    return (
      <a class="primary join" href={session.meetingUrl} target="_blank" rel="noopener">
        {t('joinVideo')}
      </a>
    )
  }
  const cost = widget.pricing.value?.costs.video
  // Only the session's user can pay for it; the cost must be known before it is offered.
  if (cost === undefined || session.user.id !== widget.client.$user.get()?.id) return null
  if (asking.value)
    return <VideoConfirm handle={handle} session={session} cost={cost} done={() => (asking.value = false)} />
  return (
    <button type="button" class="link end" onClick={() => (asking.value = true)}>
      {t('videoCall', { cost })}
    </button>
  )
}
