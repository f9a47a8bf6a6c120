import { readFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { cleanup, configDir, eventually, hasScript, run, suportra } from './run.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}
const COMMANDS = [
  'login',
  'logout',
  'whoami',
  'tools',
  'credits',
  'ask',
  'resume',
  'cancel',
  'sessions',
  'transcript',
]
/** A port nobody listens on (taken, then let go). */
const closedPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resolve(port))
  })
})
// Nothing here reaches a server.
const down = `http://127.0.0.1:${closedPort}`
const env = { SUPORTRA_URL: down, SUPORTRA_CONFIG_DIR: '' }
afterEach(cleanup)

describe('without a terminal (piped)', () => {
  test.each(COMMANDS)(
    'suportra %s --help: its own usage, flags and the global ones; exit 0',
    async (command) => {
      const result = await run([command, '--help'], { env: { ...env, SUPORTRA_CONFIG_DIR: configDir() } })
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^Usage: suportra ${command} `))
      expect(result.stdout).toContain('--url <url>')
      expect(result.stdout).toContain('--app <id>')
      expect(result.stderr).toBe('')
    },
  )

  test('--version prints the package version; --help lists every command', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` })
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
  })

  test('no arguments: the help on stderr, exit 2', async () => {
    const result = await run([])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('Usage: suportra [options] [command]')
  })

  test.each([
    [
      ['ask', '--frob', 'Build fails'],
      "error: unknown option '--frob'",
      'Usage: suportra ask [options] <topic>',
    ],
    [['sessions', '--jsno'], "error: unknown option '--jsno'", 'Usage: suportra sessions [options]'],
    [['--frob'], "error: unknown option '--frob'", 'Usage: suportra <command> [options]'],
    [['whatever'], "error: unknown command 'whatever'", 'Usage: suportra <command> [options]'],
    [['resume'], "error: missing required argument 'id'", 'Usage: suportra resume [options] <id>'],
  ])('suportra %j: exit 2, the mistake and one line of usage, no stack', async (args, error, usage) => {
    const result = await run(args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    // The mistake, commander's "Did you mean --json?" when there is a near miss, and the usage line.
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines.length).toBeLessThanOrEqual(3)
    expect(lines[0]).toBe(error)
    expect(lines.at(-1)).toContain(usage)
    expect(result.stderr).not.toMatch(/ at |ERR_/)
  })

  test('a network failure names the URL; a URL that is not one is a usage error', async () => {
    const failed = await run(['tools', '--url', down])
    expect(failed).toMatchObject({
      code: 1,
      stderr: `suportra: cannot reach the Suportra server at ${down} (ECONNREFUSED)\n`,
    })
    const bad = await run(['tools', '--url', 'not a url'])
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'suportra: --url not a url is not a URL (e.g. http://127.0.0.1:8787)\n',
    })
  })

  test('login without a terminal asks nothing: it names the flag or variable to use, exit 2', async () => {
    const dir = configDir()
    const noEmail = await run(['login'], { env: { SUPORTRA_CONFIG_DIR: dir }, input: 'ada@example.com\n' })
    expect(noEmail).toMatchObject({
      code: 2,
      stderr: 'suportra: no terminal to ask for the email: pass --email\n',
    })
    const noPassword = await run(['login', '--email', 'ada@example.com'], {
      env: { SUPORTRA_CONFIG_DIR: dir, SUPORTRA_PASSWORD: undefined },
      input: 'demo-password\n',
    })
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toContain('set SUPORTRA_PASSWORD or pass --password-stdin')
  })
})

describe.skipIf(!hasScript)('in a terminal (a pseudo-terminal)', () => {
  test.each(['ask', 'sessions', 'login'])('suportra %s --help, exit 0', async (command) => {
    const cli = suportra([command, '--help'], { tty: true })
    expect(await cli.exited).toBe(0)
    expect(cli.stdout).toMatch(new RegExp(`^Usage: suportra ${command} `))
    cli.child.stdin.end()
  })

  test('unknown flag: exit 2 with the mistake and one line of usage; --version', async () => {
    const cli = suportra(['ask', '--frob', 'x'], { tty: true })
    expect(await cli.exited).toBe(2)
    expect(cli.stdout.trim().split(/\r?\n/)).toEqual([
      "error: unknown option '--frob'",
      'Usage: suportra ask [options] <topic>  (suportra ask --help for more)',
    ])
    const versioned = suportra(['--version'], { tty: true })
    expect(await versioned.exited).toBe(0)
    expect(versioned.stdout.trim()).toBe(version)
  })

  test('login asks for the email and the hidden password; what is typed for the password is not shown', async () => {
    const cli = suportra(['login'], {
      tty: true,
      env: { ...env, SUPORTRA_CONFIG_DIR: configDir(), SUPORTRA_PASSWORD: undefined },
    })
    await eventually(() => expect(cli.stdout).toContain('Email'))
    cli.write('ada@example.com\r')
    await eventually(() => expect(cli.stdout).toContain('Password'))
    cli.write('s3cret-typed\r')
    // The server is down: the failure names it, and the password never appeared.
    expect(await cli.exited).toBe(1)
    expect(cli.stdout).toContain(`cannot reach the Suportra server at ${down}`)
    expect(cli.stdout).not.toContain('s3cret-typed')
  })
})
