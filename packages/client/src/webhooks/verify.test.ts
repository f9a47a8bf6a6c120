import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { SuportraError } from '../core/errors.js'
import { verifyWebhook } from './verify.js'

const secret = 'whsec_test_secret'
const body = JSON.stringify({ id: 'evt_1', type: 'session.started', created: 1_700_000_000, data: {} })
const now = 1_700_000_000
const sign = (t: number, payload = body, key = secret) =>
  `t=${t},v1=${createHmac('sha256', key).update(`${t}.${payload}`).digest('hex')}`

async function reason(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(SuportraError.isInstance(error)).toBe(true)
  return (error as SuportraError).details?.reason
}

describe('verifyWebhook', () => {
  test('returns the event of a correctly signed body (string or bytes)', async () => {
    const event = await verifyWebhook({ payload: body, header: sign(now), secret, now })
    expect(event).toMatchObject({ id: 'evt_1', type: 'session.started' })
    const bytes = new TextEncoder().encode(body)
    expect((await verifyWebhook({ payload: bytes, header: sign(now), secret, now })).id).toBe('evt_1')
    expect((await verifyWebhook({ payload: bytes.buffer, header: sign(now), secret, now })).id).toBe('evt_1')
  })

  test('accepts any one matching v1 among several (a secret being rotated)', async () => {
    const header = `${sign(now, body, 'whsec_old')},v1=${sign(now).split('v1=')[1]}`
    expect((await verifyWebhook({ payload: body, header, secret, now })).id).toBe('evt_1')
  })

  test('refuses a wrong secret, a changed body, and a signature from another time', async () => {
    expect(
      await reason(verifyWebhook({ payload: body, header: sign(now, body, 'whsec_other'), secret, now })),
    ).toBe('signature_mismatch')
    expect(await reason(verifyWebhook({ payload: `${body} `, header: sign(now), secret, now }))).toBe(
      'signature_mismatch',
    )
    const moved = sign(now).replace(`t=${now}`, `t=${now + 1}`)
    expect(await reason(verifyWebhook({ payload: body, header: moved, secret, now }))).toBe(
      'signature_mismatch',
    )
  })

  test('refuses a time beyond the tolerance, either way (default 300 s)', async () => {
    expect(await reason(verifyWebhook({ payload: body, header: sign(now - 301), secret, now }))).toBe(
      'timestamp_out_of_tolerance',
    )
    expect(await reason(verifyWebhook({ payload: body, header: sign(now + 301), secret, now }))).toBe(
      'timestamp_out_of_tolerance',
    )
    await verifyWebhook({ payload: body, header: sign(now - 299), secret, now })
    await verifyWebhook({ payload: body, header: sign(now - 1000), secret, now, toleranceSeconds: 1200 })
  })

  test('says what is wrong with a missing or malformed header, or a parsed body', async () => {
    expect(await reason(verifyWebhook({ payload: body, header: undefined, secret, now }))).toBe(
      'missing_header',
    )
    for (const header of ['garbage', `t=${now}`, 'v1=abc', `t=x,v1=${'0'.repeat(64)}`, `t=${now},v1=zz`]) {
      expect(await reason(verifyWebhook({ payload: body, header, secret, now }))).toBe('malformed_header')
    }
    const parsed = JSON.parse(body) as unknown as string
    expect(await reason(verifyWebhook({ payload: parsed, header: sign(now), secret, now }))).toBe(
      'invalid_payload',
    )
    const notJson = 'not json'
    expect(await reason(verifyWebhook({ payload: notJson, header: sign(now, notJson), secret, now }))).toBe(
      'invalid_payload',
    )
  })
})
