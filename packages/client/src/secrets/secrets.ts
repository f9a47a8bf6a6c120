/**
 * Finds secrets pasted into a message, a context or a text file before they leave the user's
 * machine: provider keys by their formats, private keys, JWTs, passwords in URLs, and high-entropy
 * or hex values assigned to secret-looking names in .env and config files.
 */

/** One secret found: the rule that matched and where the secret itself is (`text.slice(start, end)`). */
export interface SecretMatch {
  rule: string
  start: number
  end: number
}

interface Rule {
  id: string
  /** Global regex; the secret is capture group 1 when there is one, else the whole match. */
  pattern: RegExp
  /** Further check on the secret itself (entropy, placeholders). */
  accept?: (secret: string) => boolean
}

const B = '(?<![A-Za-z0-9_-])'
const E = '(?![A-Za-z0-9_-])'
// 'd' gives each group's own span (`match.indices`): searching for the secret's text in the match
// would find it earlier, e.g. inside a database URL's user name.
const rule = (id: string, source: string, flags = 'g', accept?: (secret: string) => boolean): Rule => ({
  id,
  pattern: new RegExp(source, `${flags}d`),
  ...(accept && { accept }),
})

const PLACEHOLDER =
  /your|example|changeme|change_me|placeholder|replace|dummy|sample|redacted|<|>|\{\{|\$\{|^\$|process\.env|os\.environ|getenv|env\(|^x+$|^\*+$|^\.+$|^(true|false|null|none|undefined)$/i

/** Bits per character; random keys score above 3.5, words and placeholders below. */
export function entropy(value: string): number {
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / value.length
    bits -= p * Math.log2(p)
  }
  return bits
}

const randomLooking = (value: string) =>
  value.length >= 12 &&
  !PLACEHOLDER.test(value) &&
  entropy(value) >= 3.5 &&
  [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(value)).length >= 2

/** A hex key (32+ digits): its alphabet is small, so entropy says little; 8+ distinct digits is random enough. */
const hexKey = (value: string) => /^[\da-f]{32,}$/i.test(value) && new Set(value).size > 7

/** A password in a URL that is not a placeholder or a default (`postgres:postgres@localhost`). */
const realPassword = (password: string) =>
  !PLACEHOLDER.test(password) && !/^(pass(word)?|secret|postgres|root|admin|user|\*+)$/i.test(password)

const RULES: Rule[] = [
  rule('private-key', '-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\\s\\S]*?-----END \\1-----'),
  // AWS documents AKIAIOSFODNN7EXAMPLE; keys ending in EXAMPLE are its placeholders.
  rule(
    'aws-access-key-id',
    `${B}((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16})${E}`,
    'g',
    (id) => !id.endsWith('EXAMPLE'),
  ),
  rule(
    'aws-secret-access-key',
    `aws.{0,24}?(?:secret|sk)[\\w"' ]{0,24}?[=:]\\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
    'gi',
  ),
  rule('gcp-api-key', `${B}(AIza[0-9A-Za-z_-]{35})${E}`),
  rule('azure-storage-key', '(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,}={0,2})'),
  rule('azure-client-secret', `${B}([A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34})${E}`),
  rule('stripe', `${B}((?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,99}|whsec_[0-9a-zA-Z]{32,})${E}`),
  rule('github', `${B}(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})${E}`),
  rule('gitlab', `${B}(gl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,})${E}`),
  rule(
    'slack',
    `${B}(xox[abposre]-[0-9A-Za-z-]{10,}|https://hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})`,
  ),
  rule('anthropic', `${B}(sk-ant-(?:api|admin)\\d\\d-[A-Za-z0-9_-]{80,})${E}`),
  rule(
    'openai',
    `${B}(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}|sk-[A-Za-z0-9]{48})${E}`,
  ),
  rule('npm', `${B}(npm_[A-Za-z0-9]{36})${E}`),
  rule('jwt', `${B}(eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,})${E}`),
  rule(
    'database-url',
    '(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse)://[^\\s:/@"\'`]+:([^\\s@/"\'`]+)@[^\\s/"\'`]+',
    'gi',
    realPassword,
  ),
  // Any other URL with a user and a password (a git remote, a registry, a proxy): the place says it
  // is a secret, however short or plain (`hunter2`).
  rule(
    'url-credentials',
    '(?<![\\w+.-])[a-z][a-z\\d+.-]{0,20}://[^\\s:/@"\'`]+:([^\\s@/"\'`]+)@[^\\s/"\'`]+',
    'gi',
    realPassword,
  ),
  // NAME=value / NAME: value / "name": "value" with a secret-looking name and a random-looking value.
  // The name's parts are bounded ({0,40}): unbounded, a long run of letters (a minified bundle, a
  // base64 line in a log) makes the search quadratic and freezes the page.
  rule(
    'assigned-secret',
    `["']?(?:[A-Z0-9_]{0,40}(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?KEY|CREDENTIALS?|_KEY)[A-Z0-9_]{0,40}|[a-z][A-Za-z0-9]{0,40}(?:Secret|Token|Password|ApiKey|AccessKey|PrivateKey|AuthKey)|(?:api|access|private|auth|secret)[_-]?(?:[kK]ey|[tT]oken|[sS]ecret)|client[_-]?secret|password|passwd|secret|token)["']?[ \\t]*[:=][ \\t]*["'\`]?([^\\s"'\`#;,)]{12,})`,
    'g',
    (value) => randomLooking(value) || hexKey(value),
  ),
]

/** Every secret in `text`, in order, without overlaps (the first rule to claim a span wins). */
export function detectSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = []
  for (const { id, pattern, accept } of RULES) {
    pattern.lastIndex = 0
    for (const match of text.matchAll(pattern)) {
      const [start, end] = (id !== 'private-key' && match.indices?.[1]) || match.indices?.[0] || [0, 0]
      const secret = text.slice(start, end)
      if (accept && !accept(secret)) continue
      if (found.some((other) => start < other.end && other.start < end)) continue
      found.push({ rule: id, start, end })
    }
  }
  return found.sort((a, b) => a.start - b.start)
}

/** `text` with every secret replaced by `[redacted <rule>]`. */
export function redactSecrets(text: string): string {
  let out = ''
  let last = 0
  for (const { rule: id, start, end } of detectSecrets(text)) {
    out += `${text.slice(last, start)}[redacted ${id}]`
    last = end
  }
  return out + text.slice(last)
}

/** `value` (a string, or JSON-like arrays and objects of them) with `fn` applied to each string in it. */
const mapStrings = (value: unknown, fn: (text: string) => string): unknown =>
  typeof value === 'string'
    ? fn(value)
    : Array.isArray(value)
      ? value.map((item) => mapStrings(item, fn))
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, fn)]))
        : value

/**
 * The kinds of secret (rule ids, each once) in the strings of `value`: a string, or JSON-like arrays
 * and objects of them such as a session's context. Each string is scanned as it is, not as JSON
 * (where `"` would be `\"`).
 */
export function detectSecretsIn(value: unknown): string[] {
  const rules = new Set<string>()
  mapStrings(value, (text) => {
    for (const match of detectSecrets(text)) rules.add(match.rule)
    return text
  })
  return [...rules]
}

/** `value` with the secrets redacted in each of its strings; keys and other values are kept. */
export const redactSecretsIn = <T>(value: T): T => mapStrings(value, redactSecrets) as T
