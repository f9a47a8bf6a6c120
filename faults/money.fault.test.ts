import {
  type ApiResult,
  api,
  chargeObject,
  checkoutSessionObject,
  createUser,
  DEMO,
  deliverStripeWebhook,
  disputeObject,
  grantCredits,
  signIn,
  signStripePayload,
  startTestServer,
  stripeEventPayload,
  type TestServer,
  testDialect,
} from '@suportra/server/testing'
import { afterAll, expect, test } from 'vitest'
import { PASSWORD } from './support/conversation.js'
import { checkLedger } from './support/ledger.js'
import { report } from './support/report.js'
import { SEED, SIZES, seeded } from './support/sizes.js'

const SECRET = 'whsec_faults_money'
const ORIGIN = 'http://localhost:5173'
const cleanup: (() => unknown)[] = []
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

interface Account {
  id: string
  token: string
  granted: number
}

/** What the clients saw: every answer by status, replays that got a different answer, server errors. */
interface Seen {
  ops: Record<string, number>
  requests: number
  replays: number
  /** A replay of a start that created a second session, or two different winners of one claim. */
  doubled: string[]
  errors: string[]
}

test(`money under concurrency: ${SIZES.moneyOps} concurrent starts, cancels, claims, upgrades, purchases and refunds, every one replayed (${testDialect()})`, async ({
  task,
}) => {
  const started = performance.now()
  const random = seeded(SEED + 3)
  const server: TestServer = await startTestServer({
    stripe: { webhookSecret: SECRET },
    rateLimits: { send: { points: 1_000_000, duration: 60 }, auth: { points: 100_000, duration: 60 } },
  })
  cleanup.push(() => server.close())
  const url = server.url

  // Accounts with random balances (0 to 4 credits), and three builders who all claim at once.
  const users = Math.max(10, Math.round(SIZES.moneyOps / 20))
  const accounts: Account[] = []
  for (let i = 0; i < users; i++) {
    const granted = random.int(0, 4)
    const made = await createUser(server, { name: `Payer ${i}`, email: `payer-${i}@example.com` })
    if (granted) await grantCredits(server, made.user.id, granted)
    accounts.push({ id: made.user.id, token: made.accessToken, granted })
  }
  // Two more builders covering every tool (what `suportra-server builders add` makes).
  const tools = JSON.stringify(server.current.context.config.tools.map((t) => t.id))
  for (const name of ['linus', 'margaret']) {
    const made = await createUser(server, { name: `${name} Builder`, email: `${name}@example.com` })
    await server.current.context.store.db
      .updateTable('users')
      .set({ role: 'builder', tools })
      .where('id', '=', made.user.id)
      .execute()
  }
  const builders = await Promise.all(
    [DEMO.builder.email, 'linus@example.com', 'margaret@example.com'].map(
      async (email) => (await signIn(url, email, PASSWORD)).accessToken,
    ),
  )

  const seen: Seen = { ops: {}, requests: 0, replays: 0, doubled: [], errors: [] }
  const count = (name: string) => {
    seen.ops[name] = (seen.ops[name] ?? 0) + 1
  }
  const call = async (method: string, path: string, token: string, body?: unknown, key?: string) => {
    seen.requests++
    const result = await api(url, method, path, {
      token,
      ...(body !== undefined && { body }),
      ...(key && { headers: { 'idempotency-key': key } }),
    })
    if (result.status >= 500 || ![200, 201, 402, 409].includes(result.status))
      seen.errors.push(`${method} ${path} → ${result.status} ${JSON.stringify(result.body).slice(0, 120)}`)
    return result
  }
  /** The request, the same request twice more at once, and once more after they are done. */
  const replayed = async (send: () => Promise<ApiResult>): Promise<ApiResult[]> => {
    const first = await Promise.all([send(), send(), send()])
    const later = await send()
    seen.replays += 3
    return [...first, later]
  }
  const webhook = (type: string, object: Record<string, unknown>, id?: string) => {
    const payload = stripeEventPayload(type, object, id)
    seen.requests++
    return deliverStripeWebhook(url, payload, signStripePayload(payload, SECRET)).then((result) => {
      if (result.status !== 200) seen.errors.push(`webhook ${type} → ${result.status}`)
      return result
    })
  }

  const waiting: string[] = []
  const active: string[] = []
  /** Paid payment intents, and whose they are. */
  const paid: { paymentIntent: string; account: Account }[] = []
  let n = 0

  const start = async () => {
    const account = random.pick(accounts)
    const key = `m_faults_${++n}_${random.int(0, 1e9)}`
    const results = await replayed(() =>
      call('POST', '/v1/sessions', account.token, { tool: 'cursor', topic: `Money ${n}` }, key),
    )
    const ids = new Set(results.filter((r) => r.status < 300).map((r) => r.body.session.id as string))
    if (ids.size > 1) seen.doubled.push(`one start with key ${key} made ${ids.size} sessions`)
    const id = [...ids][0]
    count(id ? 'started' : 'refused (no credits)')
    if (id) waiting.push(`${accounts.indexOf(account)}:${id}`)
  }
  /** The session's owner POSTs `action` on it (`owner:id` target), replayed; whether any copy succeeded. */
  const asOwner = async (target: string, action: string) => {
    const [owner, id] = target.split(':') as [string, string]
    const results = await replayed(() =>
      call('POST', `/v1/sessions/${id}/${action}`, accounts[Number(owner)]?.token ?? ''),
    )
    return results.some((r) => r.status === 200)
  }
  const cancel = async () => {
    const target = waiting.splice(random.int(0, waiting.length - 1), 1)[0]
    if (!target) return start()
    const done = await asOwner(target, 'cancel')
    count(done ? 'cancelled' : 'cancel lost to a claim')
  }
  const claim = async () => {
    const target = waiting.splice(random.int(0, waiting.length - 1), 1)[0]
    if (!target) return start()
    const id = target.split(':')[1] ?? ''
    // Every builder claims at once, each twice; then the winner repeats the claim.
    const results = await Promise.all(
      [...builders, ...builders].map((token) => call('POST', `/v1/builder/sessions/${id}/claim`, token)),
    )
    seen.replays += builders.length
    const winners = new Set(results.filter((r) => r.status === 200).map((r) => r.body.session.builder?.id))
    if (winners.size > 1) seen.doubled.push(`session ${id} was claimed by ${winners.size} builders`)
    count(winners.size ? 'claimed' : 'claim lost to a cancel')
    if (winners.size) active.push(target)
  }
  const upgrade = async () => {
    const target = active[random.int(0, active.length - 1)]
    if (!target) return claim()
    const done = await asOwner(target, 'video')
    count(done ? 'upgraded to video' : 'upgrade refused (no credits)')
  }
  const purchase = async () => {
    const account = random.pick(accounts)
    const checkout = await call('POST', '/v1/credits/checkout', account.token, {
      packId: 'pack_3',
      successUrl: `${ORIGIN}/done`,
      cancelUrl: `${ORIGIN}/cancelled`,
    })
    const purchaseId = String(checkout.body.url).match(/pur_[A-Za-z0-9_-]+/)?.[0] ?? ''
    const paymentIntent = `pi_faults_${++n}`
    const event = `evt_faults_${n}`
    const object = checkoutSessionObject({ purchaseId, paymentIntent })
    // Stripe redelivers: the same event twice at once, and again later.
    await Promise.all([
      webhook('checkout.session.completed', object, event),
      webhook('checkout.session.completed', object, event),
    ])
    await webhook('checkout.session.completed', object, event)
    seen.replays += 2
    count('purchased')
    paid.push({ paymentIntent, account })
  }
  const refund = async () => {
    const target = paid.splice(random.int(0, paid.length - 1), 1)[0]
    if (!target) return purchase()
    const { paymentIntent, account } = target
    const object = chargeObject({ paymentIntent, amount: 2900, amountRefunded: 2900 })
    const event = `evt_faults_refund_${++n}`
    // The buyer starts sessions while the refund and the dispute arrive (a hold placed during the
    // reversal must not survive it: cancelling it later would hand refunded credits back).
    const racing = Array.from({ length: 3 }, () => {
      const key = `m_faults_race_${++n}_${random.int(0, 1e9)}`
      return call('POST', '/v1/sessions', account.token, { tool: 'cursor', topic: `Race ${n}` }, key)
    })
    const [, , , ...starts] = await Promise.all([
      webhook('charge.refunded', object, event),
      webhook('charge.refunded', object, event),
      webhook('charge.dispute.created', disputeObject({ paymentIntent })),
      ...racing,
    ])
    for (const result of starts) {
      if (result.status < 300) waiting.push(`${accounts.indexOf(account)}:${result.body.session.id}`)
    }
    seen.replays += 2
    count('refunded')
  }

  // Operations go out in waves of up to 50 at once, each picking its target when it starts.
  const kinds: [() => Promise<unknown>, number][] = [
    [start, 0.3],
    [cancel, 0.15],
    [claim, 0.25],
    [upgrade, 0.1],
    [purchase, 0.12],
    [refund, 0.08],
  ]
  const pick = () => {
    let roll = random.next()
    for (const [op, p] of kinds) {
      roll -= p
      if (roll < 0) return op
    }
    return start
  }
  for (let done = 0; done < SIZES.moneyOps; ) {
    const wave = Math.min(50, SIZES.moneyOps - done)
    await Promise.all(Array.from({ length: wave }, () => pick()()))
    done += wave
  }

  // Afterwards: every balance the API shows is its ledger's sum, and matches an independent account.
  const money = await checkLedger(
    server.current.context.store,
    accounts.map((a) => a.id),
    new Map(accounts.map((a) => [a.id, a.granted])),
    1,
  )
  const mismatched: string[] = []
  for (const account of accounts) {
    const shown = await api(url, 'GET', '/v1/credits', { token: account.token })
    if (shown.body.balance !== money.balances.get(account.id))
      mismatched.push(`${account.id} shows ${shown.body.balance}, ledger ${money.balances.get(account.id)}`)
  }

  report(task, started, {
    scenario: 'money under concurrency',
    runs: SIZES.moneyOps,
    messages: seen.requests,
    lost: 0,
    duplicated: seen.doubled.length + money.duplicateKeys,
    outOfOrder: 0,
    overcharged: money.overcharged + money.wentNegative + money.holdErrors + mismatched.length,
    notes: {
      accounts: users,
      ...seen.ops,
      'replayed requests': seen.replays,
      'went negative': money.wentNegative,
      'credits from nowhere': money.undercharged,
      'refunded credits kept': money.keptAfterRefund,
      'holds not resolved exactly once': money.holdErrors,
      'balance ≠ ledger': mismatched.length,
      ...(money.problems.length && { problems: money.problems.slice(0, 3).join('; ') }),
      ...(seen.doubled.length && { doubled: seen.doubled.slice(0, 3).join('; ') }),
    },
  })
  expect(seen.errors.slice(0, 5), 'no request failed with a server error').toEqual([])
  expect(mismatched).toEqual([])
  expect(money.undercharged, 'no account holds more than it paid for').toBe(0)
  expect(money.keptAfterRefund, 'no refunded credit came back by cancelling').toBe(0)
})
