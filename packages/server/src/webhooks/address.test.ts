import type { LookupAddress } from 'node:dns'
import { describe, expect, test } from 'vitest'
import { DomainError } from '../errors.js'
import {
  checkEndpointHost,
  checkEndpointUrl,
  guardedLookup,
  isPublicAddress,
  type Lookup,
} from './address.js'

/** A resolver that answers `addresses` for every name (a DNS server the attacker controls). */
const resolvesTo =
  (...addresses: string[]): Lookup =>
  (_host, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    )

function lookupWith(resolve: Lookup, allowPrivate = false) {
  return new Promise<{ error: Error | null; address: string }>((done) =>
    guardedLookup(allowPrivate, resolve)('hooks.vendor.example', {}, (error, address) =>
      done({ error, address: String(address) }),
    ),
  )
}

describe('the webhook address guard', () => {
  test('refuses loopback, private, CGNAT, link-local, metadata, ULA and IPv4-mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.5.5.5',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fc12::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
      '2002:a00:1::',
      'ff02::1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false)
    }
    for (const address of ['93.184.215.14', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111']) {
      expect(isPublicAddress(address), address).toBe(true)
    }
  })

  test('a URL must be https without credentials, and not an IP literal of a private network', () => {
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://127.1/hook',
      'https://2130706433/hook',
      'https://10.0.0.8/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'https://user:pw@example.com/hook',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(() => checkEndpointUrl(url, false), url).toThrow(DomainError)
    }
    expect(checkEndpointUrl('https://hooks.vendor.example/suportra', false).host).toBe('hooks.vendor.example')
    expect(checkEndpointUrl('http://127.0.0.1:4000/hook', true).port).toBe('4000')
  })

  test('a host name resolving to a private address is refused when registered', async () => {
    const url = new URL('https://hooks.vendor.example/x')
    await expect(checkEndpointHost(url, resolvesTo('127.0.0.1'))).rejects.toThrow(/127\.0\.0\.1/)
    await expect(checkEndpointHost(url, resolvesTo('93.184.215.14', '10.0.0.1'))).rejects.toThrow(
      /10\.0\.0\.1/,
    )
    await checkEndpointHost(url, resolvesTo('93.184.215.14'))
  })

  test('at delivery, the address is checked again and the checked address is the one connected to', async () => {
    // Public when registered, private now (DNS rebinding): refused.
    const rebound = await lookupWith(resolvesTo('169.254.169.254'))
    expect(rebound.error?.message).toMatch(/169\.254\.169\.254/)
    expect((await lookupWith(resolvesTo('::ffff:127.0.0.1'))).error).not.toBeNull()
    // One private address among public ones is enough to refuse.
    expect((await lookupWith(resolvesTo('93.184.215.14', '192.168.0.10'))).error).not.toBeNull()
    const ok = await lookupWith(resolvesTo('93.184.215.14'))
    expect(ok).toEqual({ error: null, address: '93.184.215.14' })
    // Development: private addresses allowed.
    expect((await lookupWith(resolvesTo('127.0.0.1'), true)).address).toBe('127.0.0.1')
  })
})
