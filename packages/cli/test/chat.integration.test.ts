import { startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { cleanup, eventually, hasScript, run, suportra } from './run.js'
import { bodies, builder, claim, cleanupUsers, cliUser, DEMO, startedId } from './support.js'

const KEY = { ctrlC: '\x03', down: '\x1b[B', enter: '\r' }
const awsKey = 'AKIAZ7Q3XWJ5N2LKD4PM'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => {
  cleanup()
  cleanupUsers()
})
afterAll(() => server.close())

describe.skipIf(!hasScript)('in a terminal', () => {
  test('Ctrl+C while waiting asks; "Cancel it" cancels the session and releases the credit', async () => {
    const user = await cliUser(server, 2)
    const cli = suportra(['ask', 'Deploy hangs'], { env: user.env, tty: true })
    const id = await startedId(cli)
    await eventually(() => expect(cli.stdout).toContain('Waiting: #1 in the queue'))
    expect(await user.client.credits.refresh()).toBe(1)

    cli.write(KEY.ctrlC)
    await eventually(() => expect(cli.stdout).toContain('Nobody has joined yet. Cancel the session?'))
    expect(cli.stdout).toContain('Keep it in the queue')
    cli.write(KEY.enter)
    expect(await cli.exited).toBe(130)
    expect(cli.stdout).toContain(`Cancelled ${id}; the credit held is released.`)
    expect(await user.client.credits.refresh()).toBe(2)
  })

  test('Ctrl+C, "Keep it": the credit stays held; resume re-attaches, "joined" comes before the builder\'s words', async () => {
    const user = await cliUser(server, 2)
    const cli = suportra(['ask', 'Hydration mismatch'], { env: user.env, tty: true })
    const id = await startedId(cli)
    await eventually(() => expect(cli.stdout).toContain('Waiting: #1'))
    cli.write(KEY.ctrlC)
    await eventually(() => expect(cli.stdout).toContain('Cancel the session?'))
    cli.write(KEY.down)
    cli.write(KEY.enter)
    expect(await cli.exited).toBe(130)
    expect(cli.stdout).toContain(`Come back with: suportra resume ${id}`)
    expect(await user.client.credits.refresh()).toBe(1)

    // Claimed and answered while nobody was there.
    const theBuilder = await builder(server)
    const theirs = await claim(theBuilder, id)
    await theirs.send({
      text: 'Wrap the date in useEffect:',
      code: { language: 'tsx', content: 'useEffect(() => setNow(new Date()), [])' },
    })

    const back = suportra(['resume', id], { env: user.env, tty: true })
    await eventually(() => expect(back.stdout).toContain('useEffect(() => setNow(new Date()), [])'))
    const out = back.stdout
    expect(out.indexOf(`${DEMO.builder.name} joined`)).toBeGreaterThan(-1)
    expect(out.indexOf(`${DEMO.builder.name} joined`)).toBeLessThan(
      out.indexOf('Wrap the date in useEffect:'),
    )
    expect(out).toContain('```tsx')
    back.write('That fixed it, thanks!\r')
    await eventually(() => expect(bodies(theirs)).toContain('That fixed it, thanks!'))
    await theirs.close()
    expect(await back.exited).toBe(0)
    expect(back.stdout).toContain('Session closed.')
  })

  test('typing is shown before the prompt; Ctrl+C once a builder is there leaves the chat, the session stays open', async () => {
    const user = await cliUser(server)
    const theBuilder = await builder(server)
    const cli = suportra(['ask', 'Prisma migrate fails'], { env: user.env, tty: true })
    const id = await startedId(cli)
    const theirs = await claim(theBuilder, id)
    // A message first: it arrives over the command's realtime socket, which then carries the typing too.
    await theirs.send('Looking at your schema.')
    await eventually(() => expect(cli.stdout).toContain('Looking at your schema.'))
    theirs.typing()
    await eventually(async () =>
      expect((await cli.screen()).at(-1)?.trimEnd()).toBe(`${DEMO.builder.name} is typing… >`),
    )
    cli.write(`I ran prisma migrate dev${KEY.enter}`)
    await eventually(() => expect(bodies(theirs)).toContain('I ran prisma migrate dev'))
    cli.write(KEY.ctrlC)
    expect(await cli.exited).toBe(130)
    expect(cli.stdout).toContain(`Left the chat; the session stays open: suportra resume ${id}`)
    expect((await user.client.sessions.list()).find((s) => s.id === id)?.status).toBe('active')

    // Back in: the whole conversation, the user's own lines too, then on from there.
    const back = suportra(['resume', id], { env: user.env, tty: true })
    await eventually(() => expect(back.stdout).toMatch(/you: I ran prisma migrate dev/))
    const shown = back.stdout
    expect(shown.indexOf(`${DEMO.builder.name} joined`)).toBeLessThan(
      shown.indexOf('Looking at your schema.'),
    )
    expect(shown.indexOf('Looking at your schema.')).toBeLessThan(
      shown.indexOf('you: I ran prisma migrate dev'),
    )
    await theirs.close()
    expect(await back.exited).toBe(0)
  })

  test('a secret typed in the chat is asked about; the answer is not a message; incoming text does not break the line being typed', async () => {
    const user = await cliUser(server)
    const theBuilder = await builder(server)
    const cli = suportra(['ask', 'Upload to S3 fails'], { env: user.env, tty: true })
    const theirs = await claim(theBuilder, await startedId(cli))
    await eventually(() => expect(cli.stdout).toContain(`${DEMO.builder.name} joined`))

    cli.write(`The key is ${awsKey}`)
    cli.write(KEY.enter)
    await eventually(() =>
      expect(cli.stdout).toContain('That message contains what looks like a secret (aws-access-key-id)'),
    )
    cli.write(KEY.enter) // "Send it redacted", the first choice
    await eventually(() => expect(bodies(theirs)).toEqual(['The key is [redacted aws-access-key-id]']))

    // Half a line typed when the builder's message arrives: it is printed above, the half line drawn again.
    await eventually(() => expect(cli.stdout).toMatch(/> $/))
    cli.write('which region')
    await eventually(() => expect(cli.stdout).toMatch(/> which region$/))
    await theirs.send('Which region is the bucket in?')
    // On the screen: their message on a line of its own, the half line below it, as it was.
    await eventually(async () =>
      expect((await cli.screen()).slice(-2)).toEqual([
        expect.stringMatching(/^\d\d:\d\d Grace Hopper: Which region is the bucket in\?$/),
        '> which region',
      ]),
    )
    cli.write('? eu-west-1')
    cli.write(KEY.enter)
    await eventually(() => expect(bodies(theirs)).toContain('which region? eu-west-1'))
    expect(bodies(theirs)).toEqual([
      'The key is [redacted aws-access-key-id]',
      'Which region is the bucket in?',
      'which region? eu-west-1',
    ])
    await theirs.close()
    expect(await cli.exited).toBe(0)
  })
})

test('errors name what failed: the tool list for an unknown tool, the file for an attachment that is not there', async () => {
  const user = await cliUser(server)
  const tool = await run(['ask', 'Build fails', '--tool', 'notepad'], { env: user.env })
  expect(tool.code).toBe(2)
  expect(tool.stderr).toMatch(/^suportra: unknown --tool "notepad": one of cursor, claude-code, .*, other\n$/)
  const file = await run(['ask', 'Build fails', '--attach', 'missing.log'], { env: user.env })
  expect(file).toMatchObject({
    code: 1,
    stderr: 'suportra: cannot read --attach missing.log: no such file\n',
  })
  // Neither started a session, so no credit is held.
  expect(await user.client.credits.refresh()).toBe(2)
})

test('cancel <id> releases the credit; sessions --json; transcript; a closed session cannot be cancelled', async () => {
  const user = await cliUser(server, 2)
  const cli = suportra(['ask', 'Tailwind classes missing in production'], { env: user.env })
  const id = await startedId(cli)
  // Leaving a piped command another way than Ctrl+C (killed): the session stays, the credit held.
  cli.child.kill('SIGKILL')
  await cli.exited
  expect(await user.client.credits.refresh()).toBe(1)

  const listed = await run(['sessions', '--json'], { env: user.env })
  expect(listed.code).toBe(0)
  const sessions = JSON.parse(listed.stdout) as { id: string; status: string; queue: { position: number } }[]
  expect(sessions[0]).toMatchObject({ id, status: 'waiting', queue: { position: 1 } })

  const cancelled = await run(['cancel', id], { env: user.env })
  expect(cancelled).toMatchObject({
    code: 0,
    stdout: `Cancelled ${id}; the credit held is released (balance 2).\n`,
  })
  expect(await user.client.credits.refresh()).toBe(2)
  const again = await run(['cancel', id], { env: user.env })
  expect(again.code).toBe(1)
  expect(again.stderr).toContain(
    `session ${id} is cancelled: only a session nobody has joined can be cancelled`,
  )
  const missing = await run(['transcript', 'ses_nope'], { env: user.env })
  expect(missing).toMatchObject({
    code: 1,
    stderr: 'suportra: no session ses_nope of yours (see suportra sessions)\n',
  })
  const transcript = await run(['transcript', id], { env: user.env })
  expect(transcript.stdout).toContain('# Tailwind classes missing in production')
})
