/**
 * A small syntax highlighter: code in, tokens out (`[kind, text]`), never HTML. Rendered as text
 * spans, so highlighting cannot inject markup. Languages are grouped into families that share their
 * comment and string rules; unknown languages stay plain.
 */
export type TokenKind =
  | 'comment'
  | 'string'
  | 'number'
  | 'keyword'
  | 'function'
  | 'tag'
  | 'attr'
  | 'property'
  | 'plain'
export type Token = [kind: TokenKind, text: string]

const KEYWORDS = {
  c: 'abstract as async await break case catch class const continue def default defer delete do else enum export extends false final finally fn for from func function go if impl implements import in instanceof interface let match mod module mut new nil null of override package private protected pub public readonly return self static struct super switch this throw throws trait true try type typeof undefined unsafe use var void where while with yield',
  py: 'and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield',
  sh: 'case do done elif else esac export fi for function if in local return then until while echo cd exit set unset source',
  sql: 'add all alter and as asc by case column create delete desc distinct drop else end exists from group having in index inner insert into is join key left like limit not null on or order outer primary references returning right select set table then union unique update values when where with',
}

type Family = { patterns: [TokenKind, string][]; keywords?: Set<string>; caseless?: boolean }

const STRING = `"(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*'`
const NUMBER = '\\b(?:0x[\\da-fA-F_]+|\\d[\\d_]*(?:\\.\\d+)?(?:e[+-]?\\d+)?)\\b'
const words = (list: string) => new Set(list.split(' '))

const FAMILIES: Record<string, Family> = {
  c: {
    patterns: [
      ['comment', '\\/\\/.*|\\/\\*[\\s\\S]*?\\*\\/'],
      ['string', `${STRING}|\`(?:[^\`\\\\]|\\\\.)*\``],
      ['number', NUMBER],
      ['function', '[A-Za-z_$][\\w$]*(?=(?:<[\\w\\s,.|[\\]]*>)?\\s*\\()'],
      ['keyword', '[A-Za-z_$][\\w$]*'],
    ],
    keywords: words(KEYWORDS.c),
  },
  py: {
    patterns: [
      ['comment', '#.*'],
      ['string', `"""[\\s\\S]*?"""|'''[\\s\\S]*?'''|${STRING}`],
      ['number', NUMBER],
      ['function', '[A-Za-z_]\\w*(?=\\()'],
      ['keyword', '[A-Za-z_]\\w*'],
    ],
    keywords: words(KEYWORDS.py),
  },
  sh: {
    patterns: [
      ['comment', '#.*'],
      ['string', STRING],
      ['property', '\\$\\{?\\w+\\}?'],
      ['keyword', '[A-Za-z_][\\w-]*'],
    ],
    keywords: words(KEYWORDS.sh),
  },
  json: {
    patterns: [
      ['property', '"(?:[^"\\\\\\n]|\\\\.)*"(?=\\s*:)'],
      ['string', STRING],
      ['number', NUMBER],
      ['keyword', '\\b(?:true|false|null)\\b'],
    ],
  },
  css: {
    patterns: [
      ['comment', '\\/\\*[\\s\\S]*?\\*\\/'],
      ['string', STRING],
      ['property', '[\\w-]+(?=\\s*:[^:])'],
      ['number', '-?\\d*\\.?\\d+(?:px|rem|em|%|vh|vw|s|ms|fr)?|#[\\da-fA-F]{3,8}\\b'],
      ['tag', '[.#]?[A-Za-z][\\w-]*(?=[^{};]*\\{)'],
    ],
  },
  html: {
    patterns: [
      ['comment', '<!--[\\s\\S]*?-->'],
      ['tag', '<\\/?[A-Za-z][\\w:-]*|\\/?>'],
      ['attr', '[A-Za-z_:@][\\w:.-]*(?==)'],
      ['string', STRING],
    ],
  },
  sql: {
    patterns: [
      ['comment', '--.*|\\/\\*[\\s\\S]*?\\*\\/'],
      ['string', "'(?:[^']|'')*'"],
      ['number', NUMBER],
      ['keyword', '[A-Za-z_]\\w*'],
    ],
    keywords: words(KEYWORDS.sql),
    caseless: true,
  },
}

const ALIASES: Record<string, string> = {
  js: 'c',
  jsx: 'c',
  ts: 'c',
  tsx: 'c',
  javascript: 'c',
  typescript: 'c',
  mjs: 'c',
  cjs: 'c',
  java: 'c',
  c: 'c',
  cpp: 'c',
  'c++': 'c',
  cs: 'c',
  csharp: 'c',
  go: 'c',
  rust: 'c',
  rs: 'c',
  swift: 'c',
  kotlin: 'c',
  kt: 'c',
  php: 'c',
  dart: 'c',
  py: 'py',
  python: 'py',
  rb: 'py',
  ruby: 'py',
  sh: 'sh',
  bash: 'sh',
  zsh: 'sh',
  shell: 'sh',
  console: 'sh',
  dockerfile: 'sh',
  yaml: 'sh',
  yml: 'sh',
  toml: 'sh',
  ini: 'sh',
  env: 'sh',
  json: 'json',
  jsonc: 'json',
  css: 'css',
  scss: 'css',
  less: 'css',
  html: 'html',
  xml: 'html',
  svg: 'html',
  vue: 'html',
  svelte: 'html',
  sql: 'sql',
}

const compiled = new Map<string, RegExp>()

/** Tokens for `code` in `language`; the texts joined give back `code` exactly. */
export function highlight(code: string, language: string): Token[] {
  const name = ALIASES[language.toLowerCase()]
  const family = name ? FAMILIES[name] : undefined
  if (!family || !name) return [['plain', code]]
  let re = compiled.get(name)
  if (!re) {
    re = new RegExp(family.patterns.map(([, source]) => `(${source})`).join('|'), 'g')
    compiled.set(name, re)
  }
  const tokens: Token[] = []
  let last = 0
  for (const match of code.matchAll(re)) {
    const index = match.index ?? 0
    if (index > last) tokens.push(['plain', code.slice(last, index)])
    let kind = family.patterns[match.slice(1).findIndex((group) => group !== undefined)]?.[0] ?? 'plain'
    if (
      kind === 'keyword' &&
      family.keywords &&
      !family.keywords.has(family.caseless ? match[0].toLowerCase() : match[0])
    ) {
      kind = 'plain'
    }
    tokens.push([kind, match[0]])
    last = index + match[0].length
  }
  if (last < code.length) tokens.push(['plain', code.slice(last)])
  return tokens
}

/** A diff's lines, each with how it changed. */
export function diffLines(diff: string): ['add' | 'del' | 'hunk' | 'meta' | 'same', string][] {
  return diff.split('\n').map((line) => {
    if (line.startsWith('@@')) return ['hunk', line]
    if (/^(?:\+\+\+|---|diff |index )/.test(line)) return ['meta', line]
    if (line.startsWith('+')) return ['add', line]
    if (line.startsWith('-')) return ['del', line]
    return ['same', line]
  })
}

/** Whether a block looks like a diff (for fences labelled `diff`, or unlabelled ones that are). */
export const isDiff = (language: string, code: string) =>
  language === 'diff' || language === 'patch' || (!language && /^(?:diff --git|@@ -\d)/m.test(code))
