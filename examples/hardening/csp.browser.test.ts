// The CSP matrix: the widget loads, sends and receives under each policy a careful vendor might run,
// with zero `securitypolicyviolation` events and zero console errors. docs/guides/csp.md documents them.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { chatThroughWidget, type Stack, startStack } from './support/stack.js'

/** What every policy below shares: nothing from anywhere unless listed. */
const BASE = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  'connect-src %SUPORTRA_URL% %SUPORTRA_WS%',
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
]
const ALLOWLIST = [...BASE, "script-src 'self' %SUPORTRA_URL%"]

const POLICIES: [name: string, policy: string][] = [
  ['(a) strict: nonce + strict-dynamic', [...BASE, "script-src 'nonce-%NONCE%' 'strict-dynamic'"].join('; ')],
  ['(b) allowlist, no unsafe-inline / unsafe-eval', ALLOWLIST.join('; ')],
  ['(c) allowlist + Trusted Types', [...ALLOWLIST, "require-trusted-types-for 'script'"].join('; ')],
  [
    '(c) with no Trusted Types policy allowed',
    [...ALLOWLIST, "require-trusted-types-for 'script'", "trusted-types 'none'"].join('; '),
  ],
]

let stack: Stack
const summary: string[] = []

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  console.log(`[hardening] CSP matrix: ${summary.length} policies — ${summary.join('; ')}`)
  await stack.close()
})

test.each(POLICIES)('%s: the widget loads, sends and receives with no violation', async (name, policy) => {
  const host = await stack.host({ csp: policy })
  const { page, problems } = await stack.open(host.url)
  // The policy is in force and the watcher hears it: an image from an unlisted origin is refused.
  await page.evaluate(() => {
    new Image().src = 'http://127.0.0.1:9/canary.png'
  })
  await expect.poll(() => problems.csp.length).toBe(1)
  const canary = problems.csp.splice(0)
  problems.errors.splice(0)

  const topic = `Build fails under CSP ${name}`
  const { panel, handle } = await chatThroughWidget(stack, page, topic)
  // A file goes up too (multipart upload to the API origin).
  await panel.locator('input[type=file]').setInputFiles({
    name: 'build.log',
    mimeType: 'text/plain',
    buffer: Buffer.from('error TS2307'),
  })
  await panel.getByRole('button', { name: 'Send', exact: true }).click()
  await expect
    .poll(() => handle.$messages.get().some((m) => m.attachments.some((a) => a.name === 'build.log')))
    .toBe(true)
  // The rest of the session: the builder ends it, the user rates it.
  await handle.close()
  await panel.getByRole('button', { name: 'How did it go?' }).click()
  await panel.locator('label', { hasText: '5 of 5' }).click()
  await panel.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => panel.getByText('Thank you!').isVisible()).toBe(true)
  // Every other screen, so every lazily loaded part of the widget loads under the policy too.
  for (const [button, shows] of [
    ['Past sessions', /^Build fails under CSP/],
    ['Credits', /^Credits: /],
    ['Your data', 'Download my data'],
    ['Free stack audit', 'What are you building?'],
  ] as const) {
    await panel.getByRole('button', { name: 'Back' }).click()
    await panel.getByRole('button', { name: button === 'Credits' ? /^Credits: / : button }).click()
    await panel.getByText(shows).first().waitFor()
  }

  summary.push(
    `${name}: ${problems.csp.length} violations over 9 screens and an upload (control: ${canary.length} planted violation caught)`,
  )
  expect(problems.csp).toEqual([])
  expect(problems.errors).toEqual([])
})
