import { describe, expect, test } from 'vitest'
import { clientAddress } from './client-ip.js'

const PEER = '10.0.0.1'

describe('clientAddress', () => {
  test.each([
    // [trustProxy, X-Forwarded-For, expected]
    [false, '198.51.100.1', PEER],
    [0, '198.51.100.1', PEER],
    [true, undefined, PEER],
    [true, '', PEER],
    [true, '203.0.113.9', '203.0.113.9'],
    // The client's own writing on the left is never taken.
    [true, '198.51.100.1, 203.0.113.9', '203.0.113.9'],
    [1, '1.1.1.1,2.2.2.2 , 203.0.113.9', '203.0.113.9'],
    [2, '198.51.100.1, 203.0.113.9, 10.0.0.2', '203.0.113.9'],
    // Fewer entries than proxies: the furthest there is.
    [3, '203.0.113.9, 10.0.0.2', '203.0.113.9'],
    [true, ['198.51.100.1', '203.0.113.9'], '203.0.113.9'],
    [true, '198.51.100.1, 2001:db8::7', '2001:db8::7'],
    // Ports some proxies add are dropped.
    [true, '203.0.113.9:5173', '203.0.113.9'],
    [true, '[2001:db8::7]:443', '2001:db8::7'],
    // Not an address (a miscounted hop reaching the client's writing): the TCP peer.
    [2, 'not-an-address, 10.0.0.2', PEER],
    [true, 'x'.repeat(10_000), PEER],
    [true, ',,,', PEER],
  ] as const)('trustProxy %s, X-Forwarded-For %j → %s', (trust, forwarded, expected) => {
    expect(clientAddress(trust, PEER, forwarded as string | string[] | undefined)).toBe(expected)
  })

  test('without a peer address', () => {
    expect(clientAddress(false, undefined, undefined)).toBe('unknown')
  })
})
