import type { ChatMessage } from '@suportra/client'
import type { Patch } from '@suportra/protocol'
import pc from 'picocolors'

/** A message as the CLI reads it: a builder's patch may ride along. */
export type Incoming = ChatMessage & { patch?: Patch | null }

/** `14:05` in local time (or the date too, for a day other than today). */
export function time(at: number, now = Date.now()): string {
  const date = new Date(at)
  const hm = date.toTimeString().slice(0, 5)
  return new Date(now).toDateString() === date.toDateString()
    ? hm
    : `${date.toISOString().slice(0, 10)} ${hm}`
}

const KEYWORDS =
  /^(?:async|await|break|case|catch|class|const|continue|def|default|do|else|export|extends|false|finally|fn|for|from|function|if|import|in|interface|let|new|null|return|self|static|switch|this|throw|true|try|type|undefined|var|while|with|yield)$/
/** Strings, comments, numbers and words: enough to read code at a glance in most languages. */
const TOKENS =
  /(\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\b(\d[\d_.]*)\b|([A-Za-z_$][\w$]*)/g

/** `code` coloured for a terminal: a diff by its lines, other code by its tokens. */
export function highlight(code: string, language: string): string {
  if (language === 'diff' || language === 'patch') {
    return code
      .split('\n')
      .map((line) =>
        /^(\+\+\+|---)/.test(line)
          ? pc.bold(line)
          : line.startsWith('+')
            ? pc.green(line)
            : line.startsWith('-')
              ? pc.red(line)
              : line.startsWith('@@')
                ? pc.cyan(line)
                : line,
      )
      .join('\n')
  }
  return code.replace(TOKENS, (token, comment, string, number, word) =>
    comment
      ? pc.dim(token)
      : string
        ? pc.green(token)
        : number
          ? pc.yellow(token)
          : word && KEYWORDS.test(token)
            ? pc.magenta(token)
            : token,
  )
}

/** A fenced block, as Markdown writes it, highlighted inside. */
export const fenced = (code: string, language: string): string =>
  `${pc.dim(`\`\`\`${language}`)}\n${highlight(code.replace(/\n$/, ''), language)}\n${pc.dim('```')}`

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** A message as printed: time, author, text, its code fenced, its files, its patch. */
export function render(message: Incoming, author: string): string {
  const head = `${pc.dim(time(message.createdAt))} ${pc.bold(pc.cyan(`${author}:`))}`
  const parts = [message.body && `${head} ${message.body}`]
  if (!message.body) parts.push(head)
  if (message.code) parts.push(fenced(message.code.content, message.code.language))
  for (const file of message.attachments) parts.push(pc.dim(`  [file ${file.name}, ${size(file.size)}]`))
  if (message.patch) {
    parts.push(pc.bold(`  Patch${message.patch.description ? `: ${message.patch.description}` : ''}`))
    parts.push(fenced(message.patch.diff, 'diff'))
  }
  return parts.filter(Boolean).join('\n')
}

/** `#2 in the queue, about 3 min` (the wait is unknown before any builder has claimed a session). */
export function queueLine(queue: { position: number; expectedWaitSeconds: number | null }): string {
  const wait = queue.expectedWaitSeconds
  const expected =
    wait === null
      ? 'expected wait not known yet'
      : `expected wait about ${wait < 90 ? `${Math.max(1, Math.round(wait))} s` : `${Math.round(wait / 60)} min`}`
  return `#${queue.position} in the queue, ${expected}`
}
