import type { JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { useT, useWidget } from './context.js'
import { Go } from './form.js'
import { lazy } from './lazy.js'
import { Chat } from './screens/chat.js'
import { NewSession } from './screens/new-session.js'
import { SignIn } from './screens/sign-in.js'
import { useStore } from './use-store.js'

// Screens used once in a while load on first use (their own chunks): opening the widget stays small.
// The account screens' strings are a part of their own.
const Account = lazy(() => import('./screens/account.js').then((m) => m.Account), 'account')
const Audit = lazy(() => import('./screens/audit.js').then((m) => m.Audit))
const Credits = lazy(() => import('./screens/credits.js').then((m) => m.Credits))
const History = lazy(() => import('./screens/history.js').then((m) => m.History))
const Ongoing = lazy(() => import('./screens/ongoing.js').then((m) => m.Ongoing))
const Rate = lazy(() => import('./screens/rate.js').then((m) => m.Rate))

const viewport = globalThis.visualViewport

/**
 * The visual viewport's size and place as the panel's variables (`--vv-height: 667px;…`), not the layout
 * viewport's: a page wider than the screen (or zoomed in) has a larger one, and a panel that size would
 * reach past the screen's edge.
 */
const visual = (): string | undefined =>
  viewport
    ? ['height', 'width', 'offsetTop', 'offsetLeft']
        .map((key) => `--vv-${key}:${viewport[key as 'height']}px`)
        .join(';')
    : undefined

const FOCUSABLE = 'button:not([disabled]),input:not([disabled]),select,textarea,a[href],[tabindex="0"]'

/**
 * The chat panel: a modal dialog. Focus moves in when it opens, stays inside (Tab wraps), and goes
 * back where it was when it closes; Escape closes it.
 */
export function Panel(): JSX.Element {
  const widget = useWidget()
  const t = useT()
  const user = useStore(widget.client.$user)
  const sessions = useStore(widget.client.sessions.$list)
  const balance = useStore(widget.client.credits.$balance)
  const ref = useRef<HTMLDivElement>(null)
  // Phones: the panel covers the visual viewport, so the on-screen keyboard never covers the composer.
  // Its place and size are read before the panel is drawn and go in with it: opening restyles nothing.
  const [style] = useState(visual)

  useEffect(() => {
    // Inside a shadow root document.activeElement is only the host; the launcher is the root's.
    const root = ref.current?.getRootNode() as Document | ShadowRoot | undefined
    const previous = ((root?.activeElement ?? document.activeElement) as HTMLElement | null) ?? undefined
    ref.current?.querySelector<HTMLElement>('input,textarea,button:not(.icon)')?.focus()
    // Then follow it (the on-screen keyboard opens): all four read, then written.
    const fit = () => {
      if (ref.current) ref.current.style.cssText = visual() as string
    }
    viewport?.addEventListener('resize', fit)
    viewport?.addEventListener('scroll', fit)
    // A screen change removes the focused element (the button that caused it), and focus would fall
    // to the page: move it to the new screen's heading instead, so keyboard users stay in the panel.
    // A screen that loads first (its own chunk) has none yet: the panel's title holds focus until it comes.
    const panel = ref.current as HTMLDivElement
    const title = panel.querySelector('h2') as HTMLElement
    let focused: Element | undefined
    const track = (event: FocusEvent) => {
      focused = event.target as Element
    }
    panel.addEventListener('focusin', track)
    const keep = new MutationObserver(() => {
      const lost =
        focused && !focused.isConnected && (document.activeElement ?? document.body) === document.body
      const heading = panel.querySelector<HTMLElement>('.body h3') ?? (lost ? title : undefined)
      if ((lost || focused === title) && heading && heading !== focused) {
        heading.tabIndex = -1
        heading.focus()
      }
    })
    keep.observe(panel, { childList: true, subtree: true })
    return () => {
      keep.disconnect()
      panel.removeEventListener('focusin', track)
      viewport?.removeEventListener('resize', fit)
      viewport?.removeEventListener('scroll', fit)
      previous?.focus?.()
    }
  }, [])

  const view = widget.view.value
  const pricing = widget.pricing.value
  // Running low, not out: with too little for a session, the new-session form says so (and offers to buy).
  const low =
    pricing !== undefined &&
    balance !== undefined &&
    balance <= pricing.lowBalance &&
    balance >= pricing.costs.conversation
  if (user) widget.loadPricing()
  const ongoing = sessions.find((s) => s.status === 'waiting' || s.status === 'active')
  let screen: JSX.Element
  if (view.name === 'audit') screen = <Audit />
  else if (view.name === 'account') screen = <Account />
  else if (!user) screen = <SignIn />
  else if (view.name === 'chat' || view.name === 'transcript') screen = <Chat id={view.id} />
  else if (view.name === 'rate') screen = <Rate id={view.id} />
  else if (view.name === 'history') screen = <History />
  else if (view.name === 'credits') screen = <Credits />
  else if (view.name === 'home' && ongoing)
    screen = view.offer ? <Ongoing id={ongoing.id} /> : <Chat id={ongoing.id} />
  else screen = <NewSession />

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation()
      widget.close()
    } else if (event.key === 'Tab') {
      const items = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])]
      const active = (ref.current?.getRootNode() as ShadowRoot | undefined)?.activeElement
      const edge = event.shiftKey ? items[0] : items.at(-1)
      if (active === edge) {
        event.preventDefault()
        ;(event.shiftKey ? items.at(-1) : items[0])?.focus()
      }
    }
  }

  return (
    <div
      ref={ref}
      class="panel"
      style={style}
      role="dialog"
      aria-modal="true"
      aria-labelledby="suportra-title"
      onKeyDown={onKeyDown}
    >
      {/* A div, not a <header>: inside the dialog it would be a second "banner" landmark on the page. */}
      <div class="head">
        {view.name !== 'home' && (
          <button
            type="button"
            class="icon"
            aria-label={t('back')}
            onClick={() => widget.show({ name: 'home' })}
          >
            ‹
          </button>
        )}
        <h2 id="suportra-title">{t('title')}</h2>
        {user && balance !== undefined && (
          <button
            type="button"
            class="chip"
            aria-label={`${t('credits')}: ${balance}`}
            onClick={() => widget.show({ name: 'credits' })}
          >
            {balance} ◆
          </button>
        )}
        <button type="button" class="icon" aria-label={t('close')} onClick={widget.close}>
          ×
        </button>
      </div>
      {/* Not over a chat (it is paid for, and the transcript needs the room) nor on the credits screen (it says so). */}
      {user && low && view.name !== 'credits' && screen.type !== Chat && (
        <p class="banner warn" role="status">
          {t('lowBalance')} <Go to="credits" label="buyCredits" />
        </p>
      )}
      <div class="body">{screen}</div>
    </div>
  )
}
