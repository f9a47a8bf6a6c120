import { createClient, memoryStorage } from '@suportra/client'
import type { WidgetInstance } from '@suportra/widget'
import { act, render, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { expect, test, vi } from 'vitest'
import WebSocket from 'ws'
import { setupServer } from '../../test/harness.js'
import { DEMO, socketsOf } from '../../test/helpers.js'
import { SuportraProvider, useConnection } from '../index.js'
import { SuportraWidget, type SuportraWidgetProps, useUnreadCount, useWidget } from './index.js'

// The widget's sources are Preact JSX, which this project compiles for React: load its build, which is
// also what an app installing @suportra/react gets (`pnpm --filter @suportra/widget build` first).
vi.mock('./load-widget.js', () => ({
  // @ts-expect-error the build's types live in dist/types; this file only needs its `mount`
  loadWidget: () => import('../../../widget/dist/index.js'),
}))

const harness = setupServer()

function Connection() {
  return <p data-testid="connection">{useConnection()}</p>
}
function Badge() {
  return <p data-testid="unread">{useUnreadCount()}</p>
}
/** Hands what useWidget() gives to `see` on every render. */
function Probe({ see }: { see: (value: ReturnType<typeof useWidget>) => void }) {
  see(useWidget())
  return null
}
const hosts = () => document.querySelectorAll('suportra-widget')

test('<SuportraWidget> in StrictMode mounts one widget with one socket; unmounting removes both', async () => {
  // A visitor who signed in earlier: the widget's own client finds the sign-in in storage.
  const storage = memoryStorage()
  const earlier = createClient({ baseUrl: harness.server.url, appId: DEMO.appId, storage, WebSocket })
  await earlier.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  earlier.destroy()
  const before = socketsOf(harness.server)

  const ready = vi.fn<(widget: WidgetInstance) => void>()
  const view = render(
    <StrictMode>
      <SuportraWidget
        appId={DEMO.appId}
        baseUrl={harness.server.url}
        storage={storage}
        WebSocket={WebSocket}
        open
        onReady={ready}
      />
    </StrictMode>,
  )
  await waitFor(() => expect(ready).toHaveBeenCalled())
  const widget = ready.mock.calls[0]?.[0] as WidgetInstance
  await waitFor(() => expect(widget.client.$connection.get()).toBe('open'))
  await waitFor(() => expect(hosts()[0]?.shadowRoot?.querySelector('[role="dialog"]')).toBeTruthy())
  // A second mount from StrictMode's double effect would show up by now.
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(ready).toHaveBeenCalledTimes(1)
  expect(hosts()).toHaveLength(1)
  expect(socketsOf(harness.server) - before).toBe(1)

  view.unmount()
  expect(hosts()).toHaveLength(0)
  await waitFor(() => expect(socketsOf(harness.server)).toBe(before))
  expect(widget.client.$connection.get()).toBe('idle')
})

test('StrictMode, the widget inside a provider: one client, one socket (the provider’s)', async () => {
  // The same stored sign-in for both: a widget making a client of its own would open a second socket.
  const storage = memoryStorage()
  const user = createClient({ baseUrl: harness.server.url, appId: DEMO.appId, storage, WebSocket })
  await user.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  const before = socketsOf(harness.server)
  const ready = vi.fn<(widget: WidgetInstance) => void>()
  const view = render(
    <StrictMode>
      <SuportraProvider client={user}>
        <Connection />
        <SuportraWidget
          appId={DEMO.appId}
          baseUrl={harness.server.url}
          storage={storage}
          WebSocket={WebSocket}
          open
          onReady={ready}
        />
      </SuportraProvider>
    </StrictMode>,
  )
  await waitFor(() => expect(ready).toHaveBeenCalled())
  const widget = ready.mock.calls[0]?.[0] as WidgetInstance
  expect(widget.client).toBe(user)
  await waitFor(() => expect(view.getByTestId('connection').textContent).toBe('open'))
  await waitFor(() => expect(hosts()[0]?.shadowRoot?.querySelector('[role="dialog"]')).toBeTruthy())
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(socketsOf(harness.server) - before).toBe(1)
  // Unmounting the widget leaves the provider's client alone.
  view.rerender(
    <StrictMode>
      <SuportraProvider client={user}>
        <Connection />
      </SuportraProvider>
    </StrictMode>,
  )
  expect(hosts()).toHaveLength(0)
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(user.$connection.get()).toBe('open')
  view.unmount()
  user.destroy()
})

test('open, theme, locale and launcher props reach a mounted widget; useWidget() follows it', async () => {
  const user = await harness.client()
  const ready = vi.fn<(widget: WidgetInstance) => void>()
  let controls: ReturnType<typeof useWidget> | undefined
  const see = (value: ReturnType<typeof useWidget>) => {
    controls = value
  }
  const ui = (props: Partial<SuportraWidgetProps>) => (
    <SuportraProvider client={user}>
      <Probe see={see} />
      <SuportraWidget appId={DEMO.appId} baseUrl={harness.server.url} onReady={ready} {...props} />
    </SuportraProvider>
  )
  const view = render(ui({ open: false, locale: 'en', theme: { primary: 'rgb(1, 2, 3)' } }))
  await waitFor(() => expect(ready).toHaveBeenCalled())
  const root = () => hosts()[0]?.shadowRoot
  const launcher = () => root()?.querySelector<HTMLElement>('.launcher')
  await waitFor(() => expect(launcher()).toBeTruthy())
  expect(root()?.querySelector('[role="dialog"]')).toBeNull()
  expect(launcher()?.textContent).toContain('Ask a human')

  view.rerender(ui({ open: true, locale: 'de', theme: { primary: 'rgb(4, 5, 6)', launcherLabel: 'Hilfe' } }))
  await waitFor(() => expect(root()?.querySelector('[role="dialog"]')).toBeTruthy())
  await waitFor(() => expect(root()?.querySelector('.root')?.getAttribute('lang')).toBe('de'))
  expect(launcher()?.textContent).toContain('Hilfe')
  expect((hosts()[0] as HTMLElement).style.getPropertyValue('--suportra-primary')).toBe('rgb(4, 5, 6)')
  await waitFor(() => expect(controls?.isOpen).toBe(true))

  view.rerender(ui({ open: false, locale: 'de', launcher: false }))
  await waitFor(() => expect(root()?.querySelector('[role="dialog"]')).toBeNull())
  expect(launcher()).toBeNull()
  expect(controls?.isOpen).toBe(false)

  const { open } = controls as ReturnType<typeof useWidget>
  act(() => controls?.toggle())
  await waitFor(() => expect(controls?.isOpen).toBe(true))
  expect(controls?.open).toBe(open) // stable across renders
})

test('useUnreadCount() follows a builder’s messages while the panel is closed', async () => {
  const user = await harness.client()
  const builder = await harness.client('builder')
  const session = await user.sessions.start({ tool: 'cursor', topic: 'Unread count' })
  await builder.builder.claim(session.id)
  const ready = vi.fn<(widget: WidgetInstance) => void>()
  const view = render(
    <SuportraProvider client={user}>
      <Badge />
      <SuportraWidget appId={DEMO.appId} baseUrl={harness.server.url} onReady={ready} />
    </SuportraProvider>,
  )
  await waitFor(() => expect(ready).toHaveBeenCalled())
  const widget = ready.mock.calls[0]?.[0] as WidgetInstance
  // The widget follows the session once engaged (opened, here, then closed by the user).
  act(() => widget.open())
  act(() => widget.close())
  await waitFor(() => expect(user.$connection.get()).toBe('open'))
  expect(view.getByTestId('unread').textContent).toBe('0')
  const chat = builder.sessions.get(session.id)
  await chat.send('First answer')
  await waitFor(() => expect(view.getByTestId('unread').textContent).toBe('1'))
  await chat.send('Second answer')
  await waitFor(() => expect(view.getByTestId('unread').textContent).toBe('2'))
  expect(widget.getState()).toMatchObject({ isOpen: false, unread: 2, sessionId: session.id })
})
