/** The real server, users with credits signed in to the command, and a builder on the other side. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SuportraClient } from '@suportra/client'
import { createUser, type TestServer } from '@suportra/server/testing'
import { expect } from 'vitest'
import { DEMO, makeClient, signedIn, watch } from '../../client/test/helpers.js'
import { eventually, type Run, run } from './run.js'

export { DEMO }

export interface CliUser {
  env: Record<string, string>
  /** The same user in a client of the test's own, to check the balance and sessions. */
  client: SuportraClient
}

const undo: (() => void)[] = []
export function cleanupUsers(): void {
  for (const fn of undo.splice(0)) fn()
}

/** A new user with `credits`, signed in to the command (`login --password-stdin`) in a config directory of its own. */
export async function cliUser(server: TestServer, credits = 2): Promise<CliUser> {
  const email = `cli-${Math.random().toString(36).slice(2, 10)}@example.com`
  await createUser(server, { email, credits })
  const dir = mkdtempSync(join(tmpdir(), 'suportra-cli-user-'))
  const env = { SUPORTRA_URL: server.url, SUPORTRA_APP: DEMO.appId, SUPORTRA_CONFIG_DIR: dir }
  const login = await run(['login', '--email', email, '--password-stdin'], {
    env,
    input: `${DEMO.user.password}\n`,
  })
  expect(login.stderr).toBe('')
  expect(login.code).toBe(0)
  const client = makeClient(server.url)
  await client.auth.signIn({ email, password: DEMO.user.password })
  undo.push(
    () => client.destroy(),
    () => rmSync(dir, { recursive: true, force: true }),
  )
  return { env, client }
}

/** The demo builder, watching the queue. */
export async function builder(server: TestServer): Promise<SuportraClient> {
  const client = await signedIn(server.url, 'builder')
  undo.push(watch(client.builder.$queue, client.$connection), () => client.destroy())
  return client
}

/** The id of the session the command started (from "Session <id> started"). */
export async function startedId(cli: Run): Promise<string> {
  await eventually(() => expect(cli.stdout).toMatch(/Session (ses_\S+) started/))
  return /Session (ses_\S+) started/.exec(cli.stdout)?.[1] ?? ''
}

/** The builder claims `sessionId` once it is in the queue; their handle is watched. */
export async function claim(builderClient: SuportraClient, sessionId: string) {
  await eventually(() => expect(builderClient.builder.$queue.get().map((s) => s.id)).toContain(sessionId))
  const theirs = await builderClient.builder.claim(sessionId)
  undo.push(watch(theirs.$messages, theirs.$session))
  return theirs
}

/** What the builder sees: the bodies of the text messages, in order. */
export const bodies = (handle: { $messages: { get(): { kind: string; body: string }[] } }) =>
  handle.$messages.get().flatMap((m) => (m.kind === 'event' ? [] : [m.body]))
