/**
 * A test corpus for secret detection, generated from a seed: realistic fake secrets (right prefixes,
 * lengths and alphabets, in the places people paste them) and ordinary code, config and logs that
 * must not be flagged. Nothing here is a real credential.
 */
import { generateKeyPairSync } from 'node:crypto'

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(20261127)
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const DIGITS = '0123456789'
const ALNUM = UPPER + LOWER + DIGITS
const B64 = `${ALNUM}+/`
const URLSAFE = `${ALNUM}_-`
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('')

/** A planted secret: the text it sits in, and where it is. */
export interface Planted {
  rule: string
  text: string
  secret: string
}

const PLACES: ((secret: string, name: string) => string)[] = [
  (s, n) => `${n}=${s}`,
  (s, n) => `export ${n}="${s}"`,
  (s, n) => `{\n  "${n.toLowerCase()}": "${s}"\n}`,
  (s, n) => `${n.toLowerCase()}: ${s}`,
  (s) => `Here is my key, the build still fails: ${s} — what am I doing wrong?`,
  (s) => `const client = new Client('${s}')`,
  (s) => `curl -H "Authorization: Bearer ${s}" https://api.example.com/v1/me`,
]

function planted(rule: string, make: () => string, name: string, count = 14): Planted[] {
  return Array.from({ length: count }, (_, i) => {
    const secret = make()
    return { rule, secret, text: (PLACES[i % PLACES.length] as (typeof PLACES)[number])(secret, name) }
  })
}

const pem = (type: 'rsa' | 'ec' | 'ed25519') =>
  generateKeyPairSync(
    type as 'rsa',
    {
      ...(type === 'rsa' && { modulusLength: 1024 }),
      ...(type === 'ec' && { namedCurve: 'P-256' }),
      privateKeyEncoding: { type: type === 'rsa' ? 'pkcs1' : 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    } as never,
  ).privateKey as unknown as string

export const SECRETS: Planted[] = [
  ...planted(
    'aws-access-key-id',
    () => `${pick(['AKIA', 'ASIA'])}${chars(UPPER + DIGITS, 16)}`,
    'AWS_ACCESS_KEY_ID',
  ),
  ...Array.from({ length: 12 }, (_, i) => {
    const secret = chars(B64, 40)
    const text = [
      `AWS_SECRET_ACCESS_KEY=${secret}`,
      `aws_secret_access_key = ${secret}`,
      `"awsSecretAccessKey": "${secret}"`,
      `export AWS_SECRET_ACCESS_KEY='${secret}'`,
    ][i % 4] as string
    return { rule: 'aws-secret-access-key', secret, text }
  }),
  ...planted('gcp-api-key', () => `AIza${chars(URLSAFE, 35)}`, 'GOOGLE_API_KEY'),
  ...Array.from({ length: 6 }, () => {
    const key = pem('rsa')
    const secret = JSON.stringify(key).slice(1, -1)
    return {
      rule: 'private-key',
      secret,
      text: `{\n  "type": "service_account",\n  "project_id": "acme-prod",\n  "private_key_id": "${chars('abcdef0123456789', 40)}",\n  "private_key": "${secret}",\n  "client_email": "ci@acme-prod.iam.gserviceaccount.com"\n}`,
    }
  }),
  ...planted('azure-storage-key', () => `${chars(B64, 86)}==`, 'AZURE_STORAGE').map((p) => ({
    ...p,
    text: `DefaultEndpointsProtocol=https;AccountName=acmefiles;AccountKey=${p.secret};EndpointSuffix=core.windows.net`,
  })),
  ...planted(
    'azure-client-secret',
    () => `${chars(ALNUM, 3)}${chars(DIGITS, 1)}Q~${chars(`${ALNUM}_~.-`, 34)}`,
    'AZURE_CLIENT_SECRET',
    8,
  ),
  ...planted(
    'stripe',
    () => `${pick(['sk', 'rk'])}_${pick(['live', 'test'])}_${chars(ALNUM, 99)}`,
    'STRIPE_SECRET_KEY',
  ),
  ...planted('stripe', () => `whsec_${chars(ALNUM, 32)}`, 'STRIPE_WEBHOOK_SECRET', 5),
  ...planted(
    'github',
    () => `${pick(['ghp', 'gho', 'ghs', 'ghu', 'ghr'])}_${chars(ALNUM, 36)}`,
    'GITHUB_TOKEN',
  ),
  ...planted('github', () => `github_pat_${chars(ALNUM, 22)}_${chars(ALNUM, 59)}`, 'GH_TOKEN', 6),
  ...planted('gitlab', () => `glpat-${chars(URLSAFE, 20)}`, 'GITLAB_TOKEN'),
  ...planted(
    'slack',
    () => `xox${pick(['b', 'p', 'a'])}-${chars(DIGITS, 12)}-${chars(DIGITS, 12)}-${chars(ALNUM, 24)}`,
    'SLACK_BOT_TOKEN',
  ),
  ...planted(
    'slack',
    () =>
      `https://hooks.slack.com/services/T${chars(UPPER + DIGITS, 8)}/B${chars(UPPER + DIGITS, 10)}/${chars(ALNUM, 24)}`,
    'SLACK_WEBHOOK_URL',
    5,
  ),
  ...planted('openai', () => `sk-proj-${chars(URLSAFE, 74)}T3BlbkFJ${chars(URLSAFE, 74)}`, 'OPENAI_API_KEY'),
  ...planted('openai', () => `sk-${chars(ALNUM, 20)}T3BlbkFJ${chars(ALNUM, 20)}`, 'OPENAI_API_KEY', 5),
  ...planted('anthropic', () => `sk-ant-api03-${chars(URLSAFE, 93)}AA`, 'ANTHROPIC_API_KEY'),
  ...planted('npm', () => `npm_${chars(ALNUM, 36)}`, 'NPM_TOKEN'),
  ...Array.from({ length: 8 }, (_, i) => {
    const key = pem((['rsa', 'ec', 'ed25519'] as const)[i % 3] ?? 'rsa')
    return { rule: 'private-key', secret: key.trim(), text: `Is this key right?\n${key}\nthanks` }
  }),
  ...Array.from({ length: 4 }, () => {
    const body = chars(B64, 64 * 5)
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${body.replace(/(.{70})/g, '$1\n')}\n-----END OPENSSH PRIVATE KEY-----`
    return { rule: 'private-key', secret: key, text: `cat ~/.ssh/id_ed25519\n${key}` }
  }),
  ...planted(
    'jwt',
    () => `eyJ${chars(URLSAFE, 30)}.eyJ${chars(URLSAFE, 80)}.${chars(URLSAFE, 43)}`,
    'SUPABASE_SERVICE_ROLE_KEY',
  ),
  ...Array.from({ length: 14 }, (_, i) => {
    const secret = chars(ALNUM, 10 + (i % 12))
    const scheme = pick(['postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'amqp'])
    const url = `${scheme}://app_user:${secret}@db-${chars(LOWER, 6)}.internal:5432/prod`
    return {
      rule: 'database-url',
      secret,
      text: pick([
        `DATABASE_URL=${url}`,
        `const pool = new Pool({ connectionString: '${url}' })`,
        `db:\n  url: ${url}`,
      ]),
    }
  }),
  // Credentials in any URL: a git remote, a package registry, a proxy, a webhook. Short and plain
  // passwords too (`hunter2`): the place, not the value's randomness, says it is a secret.
  ...Array.from({ length: 24 }, (_, i) => {
    const secret =
      i % 3 === 0
        ? pick(['hunter2', 'letmein99', 'Summer2026!', 'tr0ub4dor'])
        : chars(`${ALNUM}_.~-`, 8 + (i % 30))
    const scheme = pick(['https', 'http', 'git+https', 'ssh', 'ftp', 'sftp', 'smtp', 'ws'])
    const user = pick(['bob', 'x-access-token', 'oauth2', 'deploy', 'ci-bot'])
    const url = `${scheme}://${user}:${secret}@${pick(['git', 'registry', 'proxy'])}.${chars(LOWER, 5)}.dev/acme/shop.git`
    return {
      rule: 'url-credentials',
      secret,
      text: [
        `remote.origin.url=${url}`,
        `git clone ${url}`,
        `  url = ${url}`,
        `HTTPS_PROXY=${url}`,
        `fetch('${url}')`,
        `error: failed to push some refs to '${url}'`,
      ][i % 6] as string,
    }
  }),
  // Hex API keys (32 to 64 hex digits) assigned to secret-looking names: every one, including those
  // whose digits happen to repeat (low entropy for a random string, still a key).
  ...Array.from({ length: 400 }, (_, i) => {
    const hex = chars(i % 2 ? 'abcdef0123456789' : 'ABCDEF0123456789', 32 + (i % 33))
    const secret = i % 50 === 0 ? `${hex.slice(0, 8)}${'0'.repeat(24)}${hex.slice(8)}` : hex
    const name = pick([
      'PAYMENTS_API_KEY',
      'MAILCHIMP_API_KEY',
      'DATADOG_APP_KEY',
      'SENTRY_AUTH_TOKEN',
      'WEBHOOK_SECRET',
      'ENCRYPTION_KEY',
      'apiKey',
      'secret',
    ])
    const text = [
      `${name}="${secret}"`,
      `${name}=${secret}`,
      `export ${name}='${secret}'`,
      `  ${name}: ${secret}`,
      `"${name}": "${secret}",`,
    ][i % 5] as string
    return { rule: 'assigned-secret', secret, text }
  }),
  ...Array.from({ length: 24 }, (_, i) => {
    const secret = chars(`${ALNUM}_-`, 24 + (i % 16))
    const name = pick([
      'SESSION_SECRET',
      'JWT_SECRET',
      'NEXTAUTH_SECRET',
      'SENDGRID_API_KEY',
      'MAILGUN_API_KEY',
      'DB_PASSWORD',
      'ADMIN_TOKEN',
      'PUSHER_SECRET',
      'CLERK_SECRET_KEY',
      'SUPABASE_KEY',
    ])
    const text = [
      `${name}=${secret}`,
      `${name}: "${secret}"`,
      `"${name.toLowerCase().replace(/_(.)/g, (_m, c: string) => c.toUpperCase())}": "${secret}"`,
      `  password: ${secret}`,
      `clientSecret = '${secret}'`,
      `const apiKey = "${secret}"`,
    ][i % 6] as string
    return { rule: 'assigned-secret', secret, text }
  }),
]

/** Ordinary things people paste into a coding help chat; none of them is a secret. */
export const CLEAN: string[] = [
  ...Array.from(
    { length: 30 },
    () =>
      `commit ${chars('abcdef0123456789', 40)}\nAuthor: Jane Dev <jane@example.com>\n\n    Fix hydration mismatch`,
  ),
  ...Array.from(
    { length: 30 },
    () => `request id ${crypto.randomUUID()} failed after 3 retries (ECONNRESET)`,
  ),
  ...Array.from({ length: 20 }, () => `sha256: ${chars('abcdef0123456789', 64)}  dist/app.js`),
  ...Array.from({ length: 20 }, () => `  integrity: sha512-${chars(B64, 86)}==`),
  ...Array.from({ length: 15 }, () => `<img src="data:image/png;base64,${chars(B64, 120)}=" alt="logo">`),
  ...Array.from(
    { length: 15 },
    () =>
      `Stripe event evt_${chars(ALNUM, 24)} for customer cus_${chars(ALNUM, 14)} (pi_${chars(ALNUM, 24)})`,
  ),
  ...Array.from({ length: 15 }, () => `const id = nanoid() // e.g. "${chars(URLSAFE, 21)}"`),
  ...Array.from(
    { length: 10 },
    () =>
      `className="flex items-center gap-${Math.floor(random() * 8)} px-4 py-2 text-sm text-slate-${pick(['500', '700'])}"`,
  ),
  'OPENAI_API_KEY=',
  'OPENAI_API_KEY=your-openai-api-key',
  'ANTHROPIC_API_KEY=sk-ant-...',
  'STRIPE_SECRET_KEY=sk_test_your_key_here',
  'DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app',
  'DATABASE_URL=postgres://user:password@localhost/db',
  'DATABASE_URL=${DATABASE_URL}',
  'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}',
  'JWT_SECRET=changeme',
  'SESSION_SECRET=<generate with openssl rand -hex 32>',
  'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
  'const apiKey = process.env.OPENAI_API_KEY',
  "const token = req.headers.authorization?.replace('Bearer ', '')",
  'headers: { Authorization: `Bearer ${token}` },',
  'password: z.string().min(8),',
  '<input type="password" name="password" autocomplete="current-password">',
  'if (!session?.accessToken) return redirect("/login")',
  'type Props = { token: string; onRefreshToken: () => void }',
  "export const SECRET_HEADER = 'x-webhook-secret'",
  'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
  "api_key = os.environ['SENDGRID_API_KEY']",
  'let tokens = tokenizer.encode("hello world")',
  'PASSWORD_MIN_LENGTH=12',
  'const passwordHash = await bcrypt.hash(password, 12)',
  'SELECT id, email, password_hash FROM users WHERE id = $1;',
  'Error: Invalid API key provided: sk_test_***********************ab12',
  'auth:\n  provider: github\n  callbackUrl: https://app.example.com/api/auth/callback',
  '"scripts": { "build": "next build", "start": "next start", "lint": "next lint" }',
  "ERROR in ./src/App.tsx 12:8-33\nModule not found: Error: Can't resolve './components/Header'",
  'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree',
  'Warning: Each child in a list should have a unique "key" prop.',
  'key={item.id}',
  'const cacheKey = `user:${userId}:sessions`',
  'REDIS_URL=redis://localhost:6379',
  'MONGO_URL=mongodb://mongo:27017/app',
  'NEXT_PUBLIC_SUPABASE_URL=https://xyzcompany.supabase.co',
  'VITE_API_URL=http://localhost:8787',
  'PORT=3000\nNODE_ENV=production\nLOG_LEVEL=debug',
  'docker run -e POSTGRES_PASSWORD=$POSTGRES_PASSWORD -p 5432:5432 postgres:15',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC7 user@laptop (public key, safe to share)',
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----',
  'function verifyToken(token: string) { return jwt.verify(token, secret) }',
  'The token expired at 2026-11-27T08:00:00Z; refresh it and retry.',
  'Use `openssl rand -base64 32` to generate NEXTAUTH_SECRET.',
  'access_key_id: AKIA................',
  'color: #1f2937; background: linear-gradient(90deg, #4f46e5 0%, #06b6d4 100%);',
  'at Object.<anonymous> (/app/node_modules/.pnpm/vite@8.3.8/node_modules/vite/dist/node/chunks/dep-D5b0Zz6C.js:44211:17)',
  'git clone https://github.com/vercel/next.js.git && cd next.js',
  'pnpm add @supabase/supabase-js@2.45.4',
  'https://example.com/reset?token=',
  'const [password, setPassword] = useState("")',
  'passwordConfirm: "",',
  "secret: 'keyboard cat', // express-session demo value",
  'apiVersion: 2023-10-16',
  'uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1',
  '"packageManager": "pnpm@12.4.2+sha512.7a18b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1"',
  'git@github.com:ada/shop.git',
  'https://bob@github.com/ada/shop.git',
  'https://unpkg.com/react@18/umd/react.production.min.js',
  'https://cdn.jsdelivr.net/npm/@suportra/widget@0.1/dist/cdn/widget.js',
  'http://localhost:5173/@fs/home/ada/shop/src/main.ts',
  'https://www.npmjs.com/package/@types/node',
  'git remote set-url origin https://<user>:<token>@github.com/ada/shop.git',
  'https://user:password@proxy.example.com:8080',
  'https://${GH_USER}:${GH_TOKEN}@github.com/ada/shop.git',
  'HTTP_PROXY=http://username:***@proxy:3128',
  ...Array.from({ length: 20 }, () => `sha1: ${chars('abcdef0123456789', 40)}`),
  ...Array.from({ length: 20 }, () => `"etag": "${chars('abcdef0123456789', 32)}"`),
  'SESSION_KEY_LENGTH=32',
  'HEX_KEY=0000000000000000000000000000000000000000',
  'image: ghcr.io/acme/web@sha256:9b2c1d7e4f5a6b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c',
]

/** Whole files, mostly clean, to check nothing ordinary is flagged in bulk. */
export const CLEAN_FILES: string[] = [
  `import { createClient } from '@supabase/supabase-js'\n\nexport const supabase = createClient(\n  process.env.NEXT_PUBLIC_SUPABASE_URL!,\n  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,\n)\n\nexport async function getUser(token: string) {\n  const { data, error } = await supabase.auth.getUser(token)\n  if (error) throw error\n  return data.user\n}\n`,
  `# .env.example — copy to .env and fill in\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/app\nNEXTAUTH_SECRET=\nNEXTAUTH_URL=http://localhost:3000\nGITHUB_ID=\nGITHUB_SECRET=\nSTRIPE_SECRET_KEY=sk_test_...\nSTRIPE_WEBHOOK_SECRET=whsec_...\n`,
  `version: '3.9'\nservices:\n  db:\n    image: postgres:15\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}\n      POSTGRES_DB: app\n    ports:\n      - '5432:5432'\n`,
]
