import { createClient, memoryStorage } from '@suportra/client'
import type { WidgetInstance } from '@suportra/widget'
import { render, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { expect, test, vi } from 'vitest'
import WebSocket from 'ws'
import { setupServer } from '../test/harness.js'
import { DEMO, socketsOf } from '../test/helpers.js'
import { SuportraWidget } from './index.js'

// The widget's sources are Preact JSX, which this project compiles for React: load its build, which is
// also what an app installing @suportra/react gets (`pnpm --filter @suportra/widget build` first).
vi.mock('./load-widget.js', () => ({
  // @ts-expect-error the build's types live in dist/types; this file only needs its `mount`
  loadWidget: () => import('../../widget/dist/index.js'),
}))

const harness = setupServer()
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
