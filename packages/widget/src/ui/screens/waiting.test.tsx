import { openDatabase } from '@suportra/server/testing'
import { screen, waitFor } from '@testing-library/preact'
import { expect, test } from 'vitest'
import { DEMO, openSignedIn, setupServer, startSession } from '../../../test/helpers.js'

// Its own server: the expected wait is the median wait of the last claimed sessions, so no other
// test's sessions may count.
const harness = setupServer()

test('waiting shows the place in the queue and the usual wait, from how long recent sessions waited', async () => {
  const waiting = () =>
    screen.getAllByRole('status').find((el) => el.textContent?.includes('Waiting for a builder'))
  // Nobody was ever helped on this server: no expected wait is claimed.
  const first = await openSignedIn(harness)
  const id = await startSession(first.widget)
  expect(waiting()?.textContent).toContain('You are #1 in the queue')
  expect(waiting()?.textContent).not.toContain('Usually answered')
  await (await harness.builder()).builder.claim(id)
  await screen.findByText(`${DEMO.builder.name} joined`)
  // That session waited 5 minutes before a builder joined.
  const store = await openDatabase(harness.server.db)
  harness.defer(() => store.close())
  const row = await store.db
    .selectFrom('sessions')
    .select('assigned_at')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  await store.db
    .updateTable('sessions')
    .set({ created_at: Number(row.assigned_at) - 5 * 60_000 })
    .where('id', '=', id)
    .execute()
  first.widget.close()

  const second = await openSignedIn(harness)
  await startSession(second.widget)

  expect(waiting()?.textContent).toContain('You are #1 in the queue')
  await waitFor(() => expect(waiting()?.textContent).toContain('Usually answered within 5 min'))
})
