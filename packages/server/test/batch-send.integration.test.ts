import { LIMITS, type Message, type RealtimeEvent } from '@suportra/protocol'
import {
  allMessages,
  api,
  createUser,
  DEMO,
  openSocket,
  signIn,
  startTestServer,
  type TestServer,
} from '@suportra/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

// `POST /v1/sessions/{id}/messages/batch`: what an outbox drains after an outage. The messages
// are stored in the order sent, each once per client id, and fanned out in that order.

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { send: { points: 100_000, duration: 60 } } })
})
afterAll(() => server?.close())

/** A user with a session the demo builder has claimed, and the builder's token. */
async function activeSession() {
  const user = await createUser(server, { credits: 1 })
  const builder = await signIn(server.url, DEMO.builder.email)
  const started = await api(server.url, 'POST', '/v1/sessions', {
    token: user.accessToken,
    body: { tool: 'cursor', topic: 'Batch' },
  })
  const sessionId = started.body.session.id as string
  await api(server.url, 'POST', `/v1/builder/sessions/${sessionId}/claim`, { token: builder.accessToken })
  return { user, builder, sessionId }
}

const texts = (from: number, count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${String(from + i).padStart(4, '0')}`,
    text: `${tag} ${from + i}`,
  }))

const batch = (sessionId: string, token: string, messages: unknown[]) =>
  api(server.url, 'POST', `/v1/sessions/${sessionId}/messages/batch`, { token, body: { messages } })

test('a batch is stored in order, and a retried batch (partly or wholly stored) doubles nothing', async () => {
  const { user, builder, sessionId } = await activeSession()
  const watching = await openSocket(server.url, builder.accessToken)

  // One message of the batch went through alone before (a single send that was answered).
  const all = texts(0, 60, 'drain')
  const single = await api(server.url, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token: user.accessToken,
    body: all[10],
  })
  expect(single.status).toBe(201)

  // The first 40 as one batch, whose answer is lost: sent again with the other 20.
  const first = await batch(sessionId, user.accessToken, all.slice(0, 40))
  expect(first.status).toBe(201)
  expect(first.body.messages.map((m: Message) => m.clientId)).toEqual(all.slice(0, 40).map((m) => m.id))
  // The message stored before keeps its place and its seq; the batch's others follow in order.
  expect(first.body.messages[10].seq).toBe(single.body.message.seq)

  const retried = await batch(sessionId, user.accessToken, all)
  expect(retried.status).toBe(201)
  expect(retried.body.messages.map((m: Message) => m.clientId)).toEqual(all.map((m) => m.id))
  // What was stored comes back as it was stored (same server ids and seqs).
  expect(retried.body.messages.slice(0, 40)).toEqual(first.body.messages)

  // Wholly stored: the same again, 200, nothing new.
  const again = await batch(sessionId, user.accessToken, all)
  expect(again.status).toBe(200)
  expect(again.body.messages).toEqual(retried.body.messages)

  const stored = (await allMessages(server.url, user.accessToken, sessionId)).filter((m) => m.kind === 'text')
  expect(stored.map((m) => m.clientId)).toEqual([
    all[10]?.id,
    ...all.filter((_, i) => i !== 10).map((m) => m.id),
  ])
  const seqs = (await allMessages(server.url, user.accessToken, sessionId)).map((m) => m.seq)
  expect(seqs).toEqual(seqs.map((_, i) => i + 1))

  // The builder heard each new message once, in the order stored.
  await watching.next((e) => e.type === 'message' && e.message.clientId === all[59]?.id)
  const heard = watching.events
    .filter((e): e is Extract<RealtimeEvent, { type: 'message' }> => e.type === 'message')
    .map((e) => e.message)
  expect(heard.map((m) => m.clientId)).toEqual(stored.map((m) => m.clientId))
  watching.close()
})

test('concurrent retries of one batch store each message once, with gap-free seqs', async () => {
  const { user, sessionId } = await activeSession()
  const messages = texts(0, LIMITS.batchMessages, 'race')
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => batch(sessionId, user.accessToken, messages)),
  )
  for (const answer of answers) {
    expect([200, 201]).toContain(answer.status)
    expect(answer.body.messages).toEqual(answers[0]?.body.messages)
  }
  const stored = (await allMessages(server.url, user.accessToken, sessionId)).filter((m) => m.kind === 'text')
  expect(stored.map((m) => m.clientId)).toEqual(messages.map((m) => m.id))
})

test('a batch is refused whole (over the limit, repeated ids, an id used in another session, a closed session), nothing of it stored', async () => {
  const { user, sessionId } = await activeSession()
  const over = await batch(sessionId, user.accessToken, texts(0, LIMITS.batchMessages + 1, 'over'))
  expect(over.status).toBe(400)
  expect(over.body.error.code).toBe('validation')
  const repeated = await batch(sessionId, user.accessToken, [
    { id: 'repeated-0001', text: 'a' },
    { id: 'repeated-0001', text: 'b' },
  ])
  expect(repeated.status).toBe(400)
  expect((await batch(sessionId, user.accessToken, [])).status).toBe(400)
  expect((await batch(sessionId, user.accessToken, [{ id: 'empty-0001' }])).status).toBe(400)

  // The builder serves two sessions; an id it used in one is refused in the other.
  const other = await activeSession()
  await batch(other.sessionId, other.builder.accessToken, [{ id: 'elsewhere-0001', text: 'there' }])
  const reused = await batch(sessionId, other.builder.accessToken, [
    { id: 'fresh-0001', text: 'new' },
    { id: 'elsewhere-0001', text: 'here' },
  ])
  expect(reused.status).toBe(409)
  expect(reused.body.error.code).toBe('conflict')

  // Nothing of a refused batch was stored.
  const stored = (await allMessages(server.url, user.accessToken, sessionId)).filter((m) => m.kind === 'text')
  expect(stored).toEqual([])

  // A batch whose body is over the single-message limit but under the batch's own.
  const big = Array.from({ length: 40 }, (_, i) => ({
    id: `big-${String(i).padStart(4, '0')}`,
    text: 'x'.repeat(19_000),
  }))
  expect(JSON.stringify({ messages: big }).length).toBeGreaterThan(LIMITS.jsonBodyBytes)
  expect((await batch(sessionId, user.accessToken, big)).status).toBe(201)

  await api(server.url, 'POST', `/v1/sessions/${sessionId}/close`, { token: user.accessToken })
  const closed = await batch(sessionId, user.accessToken, [{ id: 'late-0001', text: 'too late' }])
  expect(closed.status).toBe(409)
  // A retry of what was stored before the close still gets its messages back.
  const late = await batch(sessionId, user.accessToken, big.slice(0, 2))
  expect(late.status).toBe(200)
  expect(late.body.messages).toHaveLength(2)
})

test('garbage sent to the batch endpoint gets a 4xx with a code, and nothing is stored', async () => {
  const { user, sessionId } = await activeSession()
  const url = `${server.url}/v1/sessions/${sessionId}/messages/batch`
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'content-type': 'application/json',
        ...headers,
      },
      body,
      duplex: 'half',
    } as RequestInit)
  const cases: [string, BodyInit, number][] = [
    ['bad JSON', '{"messages": [', 400],
    ['messages not an array', JSON.stringify({ messages: { id: 'x-00000001', text: 'a' } }), 400],
    ['a message that is not an object', JSON.stringify({ messages: ['hello'] }), 400],
    ['an unknown field', JSON.stringify({ messages: [{ id: 'x-00000001', text: 'a' }], force: true }), 400],
    ['a body over 2 MB', JSON.stringify({ messages: [{ id: 'x-00000001', text: 'a'.repeat(3e6) }] }), 413],
  ]
  for (const [name, body, status] of cases) {
    const response = await post(body)
    expect(response.status, name).toBe(status)
    expect((await response.json()).error.code, name).toBe('validation')
  }
  // Streamed without a length: counted as it comes in.
  const big = new TextEncoder().encode(
    JSON.stringify({ messages: [{ id: 'x-00000002', text: 'b'.repeat(3e6) }] }),
  )
  const stream = new ReadableStream({
    start(controller) {
      for (let at = 0; at < big.length; at += 65_536) controller.enqueue(big.slice(at, at + 65_536))
      controller.close()
    },
  })
  const streamed = await post(stream)
  expect(streamed.status).toBe(413)
  await streamed.text()
  const stored = (await allMessages(server.url, user.accessToken, sessionId)).filter((m) => m.kind === 'text')
  expect(stored).toEqual([])
})
