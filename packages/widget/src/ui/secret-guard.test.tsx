import { expect, test, vi } from 'vitest'

test('a failed load of the secret detector is not kept: the next send loads it again', async () => {
  let offline = true
  // The chunk the browser fetches: the detector and the dialog (secrets.tsx).
  vi.doMock('./secrets.js', async (importOriginal) => {
    if (offline) throw new Error('Failed to fetch dynamically imported module')
    return importOriginal()
  })
  const { loadSecrets } = await import('./secret-guard.js')
  await expect(loadSecrets()).rejects.toThrow()
  offline = false
  const secrets = await loadSecrets()
  expect(secrets.detectSecrets('key AKIA2E0A8F3B244C9986').map((m) => m.rule)).toEqual(['aws-access-key-id'])
})
