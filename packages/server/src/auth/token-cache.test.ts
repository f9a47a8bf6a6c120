import { expect, test } from 'vitest'
import { TokenCache, type Verified } from './token-cache.js'

const caller = (familyId: string, expiresAt: number): Verified => ({
  userId: 'usr_1',
  role: 'user',
  appId: 'app_demo',
  familyId,
  expiresAt,
})

test('remembers a token until it expires', () => {
  const cache = new TokenCache()
  cache.set('t1', caller('fam_a', 2_000), cache.generation)
  expect(cache.get('t1', 1_999)?.familyId).toBe('fam_a')
  expect(cache.get('t1', 2_000)).toBeUndefined()
  expect(cache.size).toBe(0)
})

test('keeps at most `max` tokens, dropping the least recently used', () => {
  const cache = new TokenCache(2)
  cache.set('t1', caller('fam_a', 9e15), cache.generation)
  cache.set('t2', caller('fam_b', 9e15), cache.generation)
  cache.get('t1')
  cache.set('t3', caller('fam_c', 9e15), cache.generation)
  expect([cache.get('t1'), cache.get('t2'), cache.get('t3')].map((c) => c?.familyId)).toEqual([
    'fam_a',
    undefined,
    'fam_c',
  ])
})

test('a revocation forgets its sign-ins; a resync forgets all; a verification that raced either is not kept', () => {
  const cache = new TokenCache()
  cache.set('t1', caller('fam_a', 9e15), cache.generation)
  cache.set('t2', caller('fam_b', 9e15), cache.generation)
  const before = cache.generation
  cache.hear({ kind: 'revoke', familyIds: ['fam_a'] })
  expect(cache.get('t1')).toBeUndefined()
  expect(cache.get('t2')?.familyId).toBe('fam_b')
  cache.set('t3', caller('fam_c', 9e15), before)
  expect(cache.get('t3')).toBeUndefined()
  cache.hear({ kind: 'resync' })
  expect(cache.size).toBe(0)
  cache.hear({ kind: 'event' })
  cache.set('t4', caller('fam_d', 9e15), cache.generation)
  expect(cache.size).toBe(1)
})
