import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline'
import pc from 'picocolors'
import { interactive, setInputLine } from '../io/terminal.js'

export interface ChatInputHandlers {
  /** A line typed (or read from piped stdin), in order. */
  line(text: string): void
  /** Ctrl+C (or Ctrl+D) in a terminal. */
  interrupt(): void
  /** Any key in a terminal (to tell the builder you are typing). */
  key(): void
}

export interface ChatInput {
  /** A note before the prompt, e.g. "Grace is typing…"; '' for none. */
  setStatus(text: string): void
  close(): void
}

/**
 * The chat's input. In a terminal: a prompt line that incoming text is printed above (see `say`),
 * set aside while a question is asked. Piped: each line of stdin is a message, and nothing else.
 */
export function openInput(handlers: ChatInputHandlers): ChatInput {
  if (!interactive()) {
    const rl = createInterface({ input: process.stdin, terminal: false })
    rl.on('line', handlers.line)
    return { setStatus: () => {}, close: () => rl.close() }
  }
  let rl: Interface | undefined
  let status = ''
  let closed = false
  const prompt = () => (status ? `${pc.dim(status)} ${pc.dim('>')} ` : pc.dim('> '))
  const open = (typed = '') => {
    const line = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
    line.setPrompt(prompt())
    line.on('line', handlers.line)
    line.on('SIGINT', handlers.interrupt)
    line.on('close', () => {
      // Ctrl+D, not a pause: the same question as Ctrl+C.
      if (rl === line && !closed) handlers.interrupt()
    })
    process.stdin.on('keypress', handlers.key)
    rl = line
    line.prompt()
    if (typed) line.write(typed)
  }
  const shut = () => {
    const line = rl
    rl = undefined
    process.stdin.off('keypress', handlers.key)
    if (!line) return ''
    const typed = line.line
    cursorTo(process.stdout, 0)
    clearLine(process.stdout, 0)
    line.close()
    return typed
  }
  let typed = ''
  setInputLine({
    redraw: () => rl?.prompt(true),
    pause: () => {
      typed = shut()
    },
    resume: () => {
      if (!closed) open(typed)
    },
  })
  open()
  return {
    setStatus(text) {
      if (status === text) return
      status = text
      rl?.setPrompt(prompt())
      rl?.prompt(true)
    },
    close() {
      closed = true
      shut()
      setInputLine(undefined)
    },
  }
}
