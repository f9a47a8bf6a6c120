import type { ChatMessage, SessionHandle, SuportraClient } from '@suportra/client'
import { allMessages, createUser, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { exportMarkdown } from '../src/sessions/export-markdown.js'
import { countingFetch, DEMO, eventually, makeClient, signedIn, watch } from './helpers.js'

let server: TestServer
const cleanup: (() => void)[] = []
beforeAll(async () => {
  server = await startTestServer({ rateLimits: { send: { points: 10_000, duration: 60 } } })
})
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
})
afterAll(() => server.close())

/** What both sides must agree on: every stored message, in order. */
const transcript = (handle: SessionHandle) =>
  handle.$messages
    .get()
    .map((m: ChatMessage) => ({ id: m.id, seq: m.seq, author: m.author, body: m.body, status: m.status }))

async function storedTranscript(sessionId: string) {
  const { accessToken } = await signIn(server.url, DEMO.user.email)
  const messages = await allMessages(server.url, accessToken, sessionId)
  return messages.map((m) => ({ id: m.id, seq: m.seq, author: m.author, body: m.body, status: 'sent' }))
}

function track(...clients: SuportraClient[]) {
  cleanup.push(() => {
    for (const client of clients) client.destroy()
  })
}

test('a user and a builder complete a whole session and hold identical transcripts', async () => {
  const user = await signedIn(server.url, 'user')
  const builder = await signedIn(server.url, 'builder')
  track(user, builder)
  cleanup.push(watch(user.credits.$balance, builder.builder.$queue, user.$connection, builder.$connection))
  await eventually(() => expect(user.credits.$balance.get()).toBe(3))
  const { costs } = await user.credits.packs()

  const mine = await user.sessions.start({
    tool: 'claude-code',
    topic: 'Tests hang after upgrade',
    context: { url: 'http://localhost:3000' },
  })
  await eventually(() => expect(builder.builder.$queue.get().map((s) => s.id)).toContain(mine.id))
  await eventually(() => expect(user.credits.$balance.get()).toBe(3 - costs.conversation))

  const theirs = await builder.builder.claim(mine.id)
  cleanup.push(watch(mine.$messages, mine.$session, theirs.$messages, theirs.$session))
  expect(builder.builder.$queue.get().map((s) => s.id)).not.toContain(mine.id)
  await eventually(() => expect(mine.$session.get()?.status).toBe('active'))

  const sends = Array.from({ length: 100 }, (_, i) => [
    mine.send(`user says ${i}`),
    theirs.send(`builder says ${i}`),
  ]).flat()
  const sent = await Promise.all(sends)
  expect(new Set(sent.map((m) => m.seq)).size).toBe(200)

  mine.typing()
  await eventually(() => expect(theirs.$typing.get()).toMatchObject({ author: 'user' }))
  theirs.typing()
  await eventually(() => expect(mine.$typing.get()).toMatchObject({ author: 'builder' }))

  await eventually(() => expect(theirs.$messages.get()).toHaveLength(202))
  await eventually(() => expect(mine.$messages.get()).toHaveLength(202))
  await theirs.markRead()
  await eventually(() => expect(mine.$session.get()?.readSeq.builder).toBe(202))
  await mine.markRead()
  await eventually(() => expect(theirs.$session.get()?.readSeq.user).toBe(202))

  await theirs.close()
  await eventually(() => expect(mine.$session.get()?.status).toBe('closed'))
  const rated = await mine.rate({ score: 5, comment: 'Unblocked in ten minutes' })
  expect(rated.rating).toEqual({ score: 5, comment: 'Unblocked in ten minutes' })

  await eventually(() => expect(transcript(mine)).toEqual(transcript(theirs)))
  const seqs = transcript(mine).map((m) => m.seq)
  expect(seqs).toEqual(Array.from({ length: 203 }, (_, i) => i + 1)) // started, claimed, 200 messages, closed
  expect(transcript(mine)).toEqual(await storedTranscript(mine.id))
  // Each side's messages arrive in the order they were written.
  const userBodies = transcript(mine)
    .filter((m) => m.author === 'user')
    .map((m) => m.body)
  expect(userBodies).toEqual(Array.from({ length: 100 }, (_, i) => `user says ${i}`))

  // The conversation cost exactly its price: a hold at the start, captured at the claim, nothing else.
  expect(await user.credits.refresh()).toBe(3 - costs.conversation)
  const ledger = (await user.credits.transactions()).filter((t) => t.reference === mine.id)
  expect(ledger.map((t) => t.kind).sort()).toEqual(['capture', 'hold'])
  expect(ledger.reduce((sum, t) => sum + t.amount, 0)).toBe(-costs.conversation)
})

test('the session list, queue and balance follow realtime events without reloading', async () => {
  const user = await signedIn(server.url, 'user')
  const builder = await signedIn(server.url, 'builder')
  track(user, builder)
  cleanup.push(
    watch(user.sessions.$list, builder.sessions.$list, builder.builder.$queue, user.credits.$balance),
  )
  await eventually(() => expect(user.credits.$balance.get()).toBeTypeOf('number'))
  const before = user.credits.$balance.get() ?? 0

  const session = await user.sessions.start({ tool: 'v0', topic: 'Preview is blank' })
  await eventually(() => expect(builder.builder.$queue.get().some((s) => s.id === session.id)).toBe(true))
  await eventually(() => expect(user.credits.$balance.get()).toBe(before - 1))

  await session.cancel()
  await eventually(() => expect(builder.builder.$queue.get().some((s) => s.id === session.id)).toBe(false))
  await eventually(() => expect(user.credits.$balance.get()).toBe(before))
  expect(user.sessions.$list.get().find((s) => s.id === session.id)?.status).toBe('cancelled')
})

test('signing out clears what was stored and closes the connection', async () => {
  const { memoryStorage } = await import('@suportra/client')
  const storage = memoryStorage()
  const writes: string[] = []
  const spy = {
    ...storage,
    setItem(key: string, value: string) {
      writes.push(key)
      storage.setItem(key, value)
    },
  }
  const { makeClient } = await import('./helpers.js')
  const client = makeClient(server.url, { storage: spy })
  track(client)
  await client.tools()
  cleanup.push(watch(client.$connection, client.sessions.$list))
  expect(writes).toEqual([]) // nothing stored before sign-in
  expect(client.$connection.get()).toBe('idle')

  await client.auth.signIn({ email: DEMO.user.email, password: DEMO.user.password })
  await eventually(() => expect(client.$connection.get()).toBe('open'))
  expect(writes.length).toBeGreaterThan(0)

  await client.auth.signOut()
  expect(client.$user.get()).toBeNull()
  expect(client.$connection.get()).toBe('idle')
  for (const key of new Set(writes)) expect(storage.getItem(key)).toBeNull()
})

test('upgrading to video charges once and returns a meeting link', async () => {
  const user = await signedIn(server.url, 'user')
  const builder = await signedIn(server.url, 'builder')
  track(user, builder)
  const balance = await user.credits.refresh()
  const session = await user.sessions.start({ tool: 'bolt', topic: 'Deploy fails' })
  await builder.builder.claim(session.id)
  const [first, second] = await Promise.all([session.upgradeToVideo(), session.upgradeToVideo()])
  expect(first.kind).toBe('video')
  expect(first.meetingUrl).toContain(session.id)
  expect(second.meetingUrl).toBe(first.meetingUrl)
  expect(await user.credits.refresh()).toBe(balance - 2) // the conversation, then video once
})

test('exportMarkdown of a session never watched holds every message, not only the newest page', async () => {
  const email = 'long-talker@example.com'
  await createUser(server, { name: 'Long Talker', email, credits: 1 })
  const user = makeClient(server.url)
  await user.auth.signIn({ email, password: DEMO.user.password })
  const builder = await signedIn(server.url, 'builder')
  track(user, builder)
  const mine = await user.sessions.start({ tool: 'cursor', topic: 'A long conversation' })
  const theirs = await builder.builder.claim(mine.id)
  for (let i = 0; i < 60; i++) await (i % 2 ? theirs : mine).send(`line ${i}`)

  // Another device: a fresh client that never loaded this session's messages.
  const elsewhere = makeClient(server.url)
  track(elsewhere)
  await elsewhere.auth.signIn({ email, password: DEMO.user.password })
  const markdown = await exportMarkdown(elsewhere.sessions.get(mine.id))

  expect(markdown.startsWith('# A long conversation\n')).toBe(true)
  const lines = markdown.split('\n').filter((line) => line.startsWith('**'))
  expect(lines).toHaveLength(60)
  expect(lines[0]).toBe('**Long Talker**: line 0')
  expect(lines[59]).toBe(`**${DEMO.builder.name}**: line 59`)
})

test('a context over its limit is refused with the part named, and nothing is charged', async () => {
  const email = 'huge-diff@example.com'
  await createUser(server, { email, credits: 1 })
  const user = makeClient(server.url)
  track(user)
  await user.auth.signIn({ email, password: DEMO.user.password })
  const before = await user.credits.refresh()
  const diff = '+'.repeat(100_001)

  const error = await user.sessions
    .start({ tool: 'cursor', topic: 'Huge diff', context: { diff } })
    .catch((e) => e)

  expect(error).toMatchObject({ code: 'validation', status: 400 })
  expect(error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['context.diff'])
  expect(error.message).toContain('context.diff')
  expect(await user.credits.refresh()).toEqual(before)
  expect((await user.sessions.list()).map((s) => s.topic)).not.toContain('Huge diff')
})

test('a script that only sends and watches messages makes no other requests', async () => {
  const requests = countingFetch()
  const email = 'only-messages@example.com'
  await createUser(server, { email, credits: 1 })
  const user = makeClient(server.url, { fetch: requests.fetch })
  await user.auth.signIn({ email, password: DEMO.user.password })
  const builder = await signedIn(server.url, 'builder')
  track(user, builder)
  const mine = await user.sessions.start({ tool: 'cursor', topic: 'Only messages' })
  const theirs = await builder.builder.claim(mine.id)
  cleanup.push(watch(mine.$messages))
  for (let i = 0; i < 5; i++) {
    await mine.send(`user says ${i}`)
    await theirs.send(`builder says ${i}`)
    await theirs.markRead()
    await mine.markRead()
    // Longer than nanostores' unmount delay, so each read of an unwatched store would mount it anew.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
  }
  await eventually(() => expect(mine.$messages.get()).toHaveLength(12))
  expect(requests.count('/v1/sessions')).toBe(1) // the start
  expect(requests.count(`/v1/sessions/${mine.id}`)).toBe(0)
  // The first page and 5 sends; and when the socket's resume frame went out while that page loaded
  // (it could not resume this session then), one look for what came between (resume-race test).
  const gapChecks = requests.urls.filter((url) => url.startsWith(`/v1/sessions/${mine.id}/messages?after=`))
  expect(gapChecks.length).toBeLessThanOrEqual(1)
  expect(requests.count(`/v1/sessions/${mine.id}/messages`) - gapChecks.length).toBe(6)
})
