import { describe, expect, test } from 'vitest'
import { publicRemote } from './git-context.js'

describe('publicRemote: what of a git remote may be shown to a builder', () => {
  test.each([
    ['https://bob:hunter2@git.example.com/ada/shop.git', 'https://git.example.com/ada/shop'],
    ['https://x-access-token:ghs_abc123@github.com/ada/shop.git', 'https://github.com/ada/shop'],
    [
      'https://oauth2:glpat-xyz@gitlab.example.com:8443/ada/shop.git',
      'https://gitlab.example.com:8443/ada/shop',
    ],
    ['https://ghp_tokenonly@github.com/ada/shop', 'https://github.com/ada/shop'],
    ['https://github.com/ada/shop.git?token=abc#readme', 'https://github.com/ada/shop'],
    ['git@github.com:ada/shop.git', 'https://github.com/ada/shop'],
    ['ssh://git:secret@git.example.com:2222/ada/shop.git', 'https://git.example.com/ada/shop'],
    ['git+ssh://git@github.com/ada/shop.git', 'https://github.com/ada/shop'],
  ])('%s → %s', (remote, shown) => {
    expect(publicRemote(remote)).toBe(shown)
  })

  test.each(['', '/home/ada/shop.git', 'file:///home/ada/shop.git', '../shop'])(
    '%j: not a web address, not shown',
    (remote) => {
      expect(publicRemote(remote)).toBeUndefined()
    },
  )
})
