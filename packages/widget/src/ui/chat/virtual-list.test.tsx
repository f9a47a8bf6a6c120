import { insertMessages } from '@suportra/server/testing'
import { waitFor, within } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { activeSession, openSignedIn, setupServer, transcript } from '../../../test/helpers.js'

const harness = setupServer()

// (happy-dom has no layout: the virtual list renders every row there; its windowing is tested in a
// real browser, examples/hardening/long-transcript.browser.test.ts.)
test("a long transcript's rows say their place in the whole (aria-posinset of aria-setsize)", async () => {
  const { widget } = await openSignedIn(harness)
  const { id, handle } = await activeSession(harness, widget)
  const session = widget.client.sessions.get(id)
  await insertMessages(harness.server.current.context.store.db, {
    sessionId: id,
    count: 200,
    userId: session.$session.get()?.user.id ?? '',
    builderId: handle.$session.get()?.builder?.id ?? '',
  })
  // Everything: the newest page, then the older ones.
  await session.reload()
  while (await session.loadOlder());
  await within(transcript()).findByText('Message 1')
  // Session started, joined, the 200.
  await waitFor(() =>
    expect(within(transcript()).getAllByRole('listitem')[0]?.getAttribute('aria-setsize')).toBe('202'),
  )
  const rows = within(transcript()).getAllByRole('listitem')
  expect(rows.map((li) => li.getAttribute('aria-posinset'))).toEqual(rows.map((_, i) => String(i + 1)))
  expect(rows[2]?.textContent).toContain('Message 1')
})
