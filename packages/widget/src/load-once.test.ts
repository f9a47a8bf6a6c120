import { expect, test, vi } from 'vitest'
import { loadOnce } from './load-once.js'

test('every caller shares one load', async () => {
  const load = vi.fn(async () => 'code')
  const get = loadOnce(load)

  const [a, b] = await Promise.all([get(), get()])

  expect([a, b, await get()]).toEqual(['code', 'code', 'code'])
  expect(load).toHaveBeenCalledTimes(1)
})

test('a failed load is forgotten: the next call tries again', async () => {
  const load = vi
    .fn<() => Promise<string>>()
    .mockRejectedValueOnce(new Error('offline'))
    .mockResolvedValue('code')
  const get = loadOnce(load)

  await expect(get()).rejects.toThrow('offline')
  expect(await get()).toBe('code')
  expect(load).toHaveBeenCalledTimes(2)
})
