import type { ComponentChildren, JSX } from 'preact'
import { CodeBlock } from './code-block.js'

/**
 * Markdown turned into elements, never into an HTML string: whatever a message contains ends up as
 * text nodes, so markup in it cannot run. Supported: paragraphs, line breaks, `- ` and `1. ` lists,
 * fenced code blocks, `inline code`, **bold**, *italic*, [links](https://…) and bare URLs.
 * Links go only to http:, https: and mailto:; anything else stays plain text.
 */
export function Markdown({ text }: { text: string }): JSX.Element {
  return <div class="md">{blocks(text)}</div>
}

const FENCE = /^(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/

function blocks(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = []
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let paragraph: string[] = []
  let list: { ordered: boolean; items: string[] } | undefined
  const flush = () => {
    if (paragraph.length) out.push(<p>{inline(paragraph.join('\n'))}</p>)
    if (list) out.push(list.ordered ? <ol>{list.items.map(item)}</ol> : <ul>{list.items.map(item)}</ul>)
    paragraph = []
    list = undefined
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const fence = line.match(FENCE)
    if (fence) {
      flush()
      const body: string[] = []
      while (++i < lines.length && !(lines[i] ?? '').startsWith(fence[1] ?? '```')) body.push(lines[i] ?? '')
      out.push(<CodeBlock language={fence[2] ?? ''} content={body.join('\n')} />)
      continue
    }
    const bullet = line.match(/^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/)
    if (bullet) {
      if (paragraph.length || (list && list.ordered !== !bullet[1])) flush()
      list ??= { ordered: !bullet[1], items: [] }
      list.items.push(bullet[3] ?? '')
    } else if (line.trim() === '') {
      flush()
    } else {
      if (list) flush()
      paragraph.push(line)
    }
  }
  flush()
  return out
}

const item = (text: string) => <li>{inline(text)}</li>

const INLINE =
  /`([^`\n]+)`|\*\*([^*\n]+)\*\*|(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|\n/g

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = []
  let last = 0
  for (const match of text.matchAll(INLINE)) {
    const [all, code, bold, italic, label, href, url] = match
    out.push(text.slice(last, match.index))
    last = (match.index ?? 0) + all.length
    if (code !== undefined) out.push(<code>{code}</code>)
    else if (bold !== undefined) out.push(<strong>{inline(bold)}</strong>)
    else if (italic !== undefined) out.push(<em>{inline(italic)}</em>)
    else if (label !== undefined) out.push(link(href ?? '', label) ?? all)
    else if (url !== undefined) out.push(link(url, url) ?? url)
    else out.push(<br />)
  }
  out.push(text.slice(last))
  return out
}

/** A safe link, or undefined when the target is not http(s) or mailto. */
export function link(href: string, label: string): JSX.Element | undefined {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return undefined
  }
  if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) return undefined
  return (
    <a href={url.href} target="_blank" rel="noopener noreferrer nofollow">
      {label}
    </a>
  )
}
