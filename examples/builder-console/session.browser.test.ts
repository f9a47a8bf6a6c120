import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { api, createUser, DEMO, signIn } from '@suportra/server/testing'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const dist = (app: string) => fileURLToPath(new URL(`../${app}/dist/`, import.meta.url))

const sites = setupSites()
/** Opens a built example on its own origin in a fresh browser context (its own storage). */
const open = (app: string) => sites.open(dist(app))

async function signInAs(page: Page, email: string) {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(DEMO.user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('a user in the React app and a builder in the builder console complete a whole session', async () => {
  const user = await open('react-app')
  const builder = await open('builder-console')
  await signInAs(user.page, DEMO.user.email)
  await signInAs(builder.page, DEMO.builder.email)

  // The user starts a session from the custom UI.
  await user.page.getByLabel('Tool').selectOption('replit')
  await user.page.getByLabel('Blocker').fill('Replit deploy says port 3000 is not open')
  await user.page.getByRole('button', { name: 'Start a session' }).click()
  await expect.poll(() => user.page.getByText('Waiting for a builder').isVisible()).toBe(true)

  // It shows up in the builder's live queue, with the tool; the builder claims it.
  const queue = builder.page.getByRole('region', { name: 'Queue' })
  await expect.poll(() => queue.getByText('Replit deploy says port 3000 is not open').isVisible()).toBe(true)
  expect(await queue.textContent()).toContain('replit')
  await queue.getByRole('button', { name: 'Claim: Replit deploy says port 3000 is not open' }).click()
  const pane = builder.page.getByRole('article', { name: 'Chat: Replit deploy says port 3000 is not open' })
  await expect.poll(() => pane.isVisible()).toBe(true)
  await expect.poll(() => user.page.getByText('Talking with Grace Hopper').isVisible()).toBe(true)

  // Messages both ways, including a code block, and the unread count on the builder's side.
  await user.page.getByLabel('Message', { exact: true }).fill('It worked locally')
  await user.page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => pane.getByText('It worked locally').isVisible()).toBe(true)
  await expect.poll(() => pane.getByText('1 unread').isVisible()).toBe(true)
  await pane.getByLabel('Reply').fill('Bind to 0.0.0.0:\n```js\napp.listen(3000, "0.0.0.0")\n```')
  await pane.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => pane.getByText('1 unread').isVisible()).toBe(false)
  await expect.poll(() => user.page.getByText('app.listen(3000, "0.0.0.0")').isVisible()).toBe(true)
  expect(await user.page.locator('pre code').first().textContent()).toBe('app.listen(3000, "0.0.0.0")')

  // The builder closes; the user rates.
  await pane.getByRole('button', { name: 'Close' }).click()
  await expect.poll(() => pane.isVisible()).toBe(false)
  await user.page.getByRole('button', { name: '5 ★' }).click()
  await expect.poll(() => user.page.getByText('Thanks for rating!').isVisible()).toBe(true)

  const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
  const { body } = await api(sites.server.url, 'GET', '/v1/sessions', { token: accessToken })
  const stored = body.sessions.find(
    (s: { topic: string }) => s.topic === 'Replit deploy says port 3000 is not open',
  )
  expect(stored).toMatchObject({
    status: 'closed',
    tool: 'replit',
    rating: { score: 5 },
    builder: { name: 'Grace Hopper' },
  })
  expect(user.problems.errors).toEqual([])
  expect(builder.problems.errors).toEqual([])
})

test('a builder helps two users side by side: each pane has its own unread count, typing and files', async () => {
  const builder = await open('builder-console')
  await signInAs(builder.page, DEMO.builder.email)
  const people = [
    { name: 'Alan Turing', topic: 'Cursor agent loops on the same edit' },
    { name: 'Katherine Johnson', topic: 'Bolt preview stays blank' },
  ]
  const [alan, katherine] = await Promise.all(
    people.map(async ({ name, topic }) => {
      const email = `${name.split(' ')[0]?.toLowerCase()}-${Date.now()}@example.com`
      await createUser(sites.server, { name, email, credits: 2 })
      const site = await open('react-app')
      await signInAs(site.page, email)
      await site.page.getByLabel('Blocker').fill(topic)
      await site.page.getByRole('button', { name: 'Start a session' }).click()
      await expect.poll(() => site.page.getByText('Waiting for a builder').isVisible()).toBe(true)
      return site
    }),
  )
  if (!alan || !katherine) throw new Error('two users expected')

  const queue = builder.page.getByRole('region', { name: 'Queue' })
  for (const { topic } of people) {
    await expect.poll(() => queue.getByText(topic).isVisible()).toBe(true)
    await queue.getByRole('button', { name: `Claim: ${topic}` }).click()
  }
  const paneA = builder.page.getByRole('article', { name: `Chat: ${people[0]?.topic}` })
  const paneK = builder.page.getByRole('article', { name: `Chat: ${people[1]?.topic}` })
  // Both chats are on screen at once, next to each other.
  await expect.poll(async () => (await paneA.isVisible()) && (await paneK.isVisible())).toBe(true)
  const [boxA, boxK] = [await paneA.boundingBox(), await paneK.boundingBox()]
  expect(boxA && boxK && (boxA.x + boxA.width <= boxK.x || boxK.x + boxK.width <= boxA.x)).toBe(true)
  for (const site of [alan, katherine])
    await expect.poll(() => site.page.getByText('Talking with Grace Hopper').isVisible()).toBe(true)

  // Alan types: only his pane says so.
  await alan.page.getByLabel('Message', { exact: true }).fill('The agent keeps re')
  await expect.poll(() => paneA.getByText('Alan Turing is typing…').isVisible()).toBe(true)
  expect(await paneK.getByText(/is typing/).count()).toBe(0)
  // The builder types to Katherine: only she sees it.
  await paneK.getByLabel('Reply').fill('Let me see the')
  await expect.poll(() => katherine.page.getByText('Grace Hopper is typing…').isVisible()).toBe(true)
  expect(await alan.page.getByText(/is typing/).count()).toBe(0)

  // Each pane counts its own unread messages.
  await alan.page.getByLabel('Message', { exact: true }).fill('The agent keeps rewriting utils.ts')
  await alan.page.getByRole('button', { name: 'Send', exact: true }).click()
  await katherine.page.getByLabel('Message', { exact: true }).fill('Preview is white, console is empty')
  await katherine.page.getByRole('button', { name: 'Send', exact: true }).click()
  await katherine.page.getByLabel('Message', { exact: true }).fill('Also after a reload')
  await katherine.page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => paneA.getByText('1 unread').isVisible()).toBe(true)
  await expect.poll(() => paneK.getByText('2 unread').isVisible()).toBe(true)

  // A file from the builder reaches Katherine, byte for byte, and not Alan.
  const patch = 'export default { server: { host: true } }\n'
  await paneK.getByLabel('Reply').fill('Try this config')
  await paneK.getByLabel('Attach files').setInputFiles({
    name: 'vite.config.ts',
    mimeType: 'text/plain',
    buffer: Buffer.from(patch),
  })
  await paneK.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => paneK.getByText('2 unread').isVisible()).toBe(false)
  const file = katherine.page.getByRole('button', { name: '📎 vite.config.ts' })
  await expect.poll(() => file.isVisible()).toBe(true)
  const [download] = await Promise.all([katherine.page.waitForEvent('download'), file.click()])
  expect(download.suggestedFilename()).toBe('vite.config.ts')
  expect(await readFile(await download.path(), 'utf8')).toBe(patch)
  expect(await alan.page.getByText('vite.config.ts').count()).toBe(0)
  expect(await paneA.getByText('vite.config.ts').count()).toBe(0)

  // Closing one chat leaves the other open.
  await paneK.getByRole('button', { name: 'Close' }).click()
  await expect.poll(() => paneK.isVisible()).toBe(false)
  expect(await paneA.isVisible()).toBe(true)
  await expect.poll(() => katherine.page.getByRole('button', { name: '5 ★' }).isVisible()).toBe(true)
  expect(await alan.page.getByRole('button', { name: '5 ★' }).count()).toBe(0)

  for (const site of [builder, alan, katherine]) expect(site.problems.errors).toEqual([])
})
