/**
 * Runs the built `suportra` command as a person would: piped (stdin and stdout are pipes) or in a real
 * pseudo-terminal through util-linux `script`, with its own config directory. Output is collected as it
 * arrives, with colours and cursor moves stripped for assertions.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import xterm from '@xterm/headless'

/** The built command, as `npm i -g @suportra/cli` installs it (`pnpm test` builds before testing). */
export const bin = fileURLToPath(new URL('../dist/suportra.js', import.meta.url))

/** Whether util-linux `script` is here to give the command a pseudo-terminal. */
export const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const cleanups: (() => void)[] = []
/** Kills what was started and removes the directories made (call in afterEach). */
export function cleanup(): void {
  for (const fn of cleanups.splice(0)) fn()
}

/** A config directory of its own (a machine with nobody signed in yet). */
export function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'suportra-cli-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface Run {
  child: ChildProcessWithoutNullStreams
  exited: Promise<number | null>
  /** Everything printed so far (stdout; in a terminal stdout and stderr together), plain text. */
  readonly stdout: string
  readonly stderr: string
  /** What a terminal of 100 columns shows after drawing everything printed so far: its lines, trailing blanks cut. */
  screen(): Promise<string[]>
  /** Writes to stdin as is (in a terminal: keys, e.g. `\x03` for Ctrl+C, `\r` for Enter). */
  write(text: string): void
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

/** Starts `suportra …`: piped by default, or in a pseudo-terminal (`tty: true`) of 100 columns. */
export function suportra(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; tty?: boolean } = {},
): Run {
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env }
  const child = options.tty
    ? spawn(
        'script',
        [
          '-qfec',
          `stty cols 100 rows 40 2>/dev/null; exec ${[process.execPath, bin, ...args].map(quote).join(' ')}`,
          '/dev/null',
        ],
        { cwd: options.cwd, env: { ...env, TERM: 'xterm-256color' } },
      )
    : spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  cleanups.push(() => child.kill('SIGKILL'))
  const screen = () => {
    const terminal = new xterm.Terminal({ cols: 100, rows: 200, allowProposedApi: true })
    return new Promise<string[]>((resolve) =>
      terminal.write(stdout, () => {
        const buffer = terminal.buffer.active
        const lines = Array.from(
          { length: buffer.length },
          (_, i) => buffer.getLine(i)?.translateToString(true) ?? '',
        )
        while (lines.length > 0 && lines.at(-1) === '') lines.pop()
        terminal.dispose()
        resolve(lines)
      }),
    )
  }
  return {
    screen,
    child,
    exited,
    get stdout() {
      return stripVTControlCharacters(stdout)
    },
    get stderr() {
      return stripVTControlCharacters(stderr)
    },
    write: (text) => child.stdin.write(text),
  }
}

/** Runs `suportra …` piped with `input` on stdin (then closed) to its end. */
export async function run(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
) {
  const cli = suportra(args, options)
  cli.child.stdin.end(options.input ?? '')
  const code = await cli.exited
  return { code, stdout: cli.stdout, stderr: cli.stderr }
}

/** Polls `check` until it passes (it should throw or return false until then). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await check()) !== false) return
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
