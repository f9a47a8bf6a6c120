import { clearLine, cursorTo } from 'node:readline'

/** A person at a terminal can answer questions: both stdin and stdout are a TTY. */
export const interactive = (): boolean => Boolean(process.stdin.isTTY && process.stdout.isTTY)

/** The line being typed (the chat's input), which output is printed above without breaking it. */
export interface InputLine {
  /** Draws the prompt again with what has been typed so far. */
  redraw(): void
  /** Hands the terminal to a question (a prompt library's) until `resume`. */
  pause(): void
  resume(): void
}

let input: InputLine | undefined

/** Sets (or clears) the line being typed. */
export function setInputLine(line: InputLine | undefined): void {
  input = line
}

/** Prints a line to stdout; while a line is being typed, above it, and the typed text is drawn again. */
export function say(text = ''): void {
  if (input && process.stdout.isTTY) {
    cursorTo(process.stdout, 0)
    clearLine(process.stdout, 0)
    process.stdout.write(`${text}\n`)
    input.redraw()
  } else {
    process.stdout.write(`${text}\n`)
  }
}

/** A warning or a notice (secrets found, a patch not applied): stderr, so piped output stays the chat. */
export function warn(text: string): void {
  if (input && process.stderr.isTTY && process.stdout.isTTY) {
    cursorTo(process.stdout, 0)
    clearLine(process.stdout, 0)
    process.stderr.write(`${text}\n`)
    input.redraw()
  } else {
    process.stderr.write(`${text}\n`)
  }
}

/** Runs a question with the terminal to itself: the line being typed is set aside and put back after. */
export async function aside<T>(question: () => Promise<T>): Promise<T> {
  const line = input
  line?.pause()
  try {
    return await question()
  } finally {
    line?.resume()
  }
}
