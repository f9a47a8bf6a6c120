import { fileURLToPath } from 'node:url'
import { allMessages, DEMO, signIn } from '@suportra/server/testing'
import { expect, test } from 'vitest'
import { setupSites } from '../support/sites.js'

const vendorPage = fileURLToPath(new URL('.', import.meta.url))
const builderConsole = fileURLToPath(new URL('../builder-console/dist/', import.meta.url))
const awsKey = 'AKIAZ7Q3XWJ5N2LKD4PM'

const sites = setupSites()
const open = (root: string) => sites.open(root)

test('the vendor hands over file, error and diff; the user drops the diff; the builder sees the rest; a pasted AWS key never reaches the server', async () => {
  const vendor = await open(vendorPage)
  const builder = await open(builderConsole)

  // The user asks from the vendor's editor and sees exactly what will be shared.
  await vendor.page.getByRole('button', { name: 'Ask a human about this error' }).click()
  const dialog = vendor.page.getByRole('dialog', { name: 'Talk to a builder' })
  await dialog.getByLabel('Email').fill(DEMO.user.email)
  await dialog.getByLabel('Password').fill(DEMO.user.password)
  await dialog.getByRole('button', { name: 'Sign in' }).click()
  const shared = dialog.getByRole('group', { name: 'Shared with the builder' })
  await expect
    .poll(() => shared.locator('dt').allTextContents())
    .toEqual(['Error×', 'File×', 'Diff×', 'Page×', 'Tool version×'])
  await expect.poll(() => shared.getByText('src/app/page.tsx', { exact: true }).isVisible()).toBe(true)
  expect(await shared.textContent()).toContain('at Page (src/app/page.tsx:2:10)')

  // They keep their work in progress to themselves.
  await shared.getByRole('button', { name: 'Remove Diff' }).click()
  await expect
    .poll(() => shared.locator('dt').allTextContents())
    .toEqual(['Error×', 'File×', 'Page×', 'Tool version×'])
  await dialog.getByRole('button', { name: 'Start session' }).click()
  await expect.poll(() => dialog.getByText('Waiting for a builder').isVisible()).toBe(true)

  // The builder console shows the context first, as a card with highlighted code, and no diff.
  await builder.page.getByLabel('Email').fill(DEMO.builder.email)
  await builder.page.getByLabel('Password').fill(DEMO.builder.password)
  await builder.page.getByRole('button', { name: 'Sign in' }).click()
  const topic = 'Hydration error after adding a date to the page'
  const queue = builder.page.getByRole('region', { name: 'Queue' })
  await expect.poll(() => queue.getByText(topic).isVisible()).toBe(true)
  await queue.getByRole('button', { name: `Claim: ${topic}` }).click()
  const pane = builder.page.getByRole('article', { name: `Chat: ${topic}` })
  const card = pane.getByRole('region', { name: 'Context' })
  await expect.poll(() => card.isVisible()).toBe(true)
  expect(await card.getByRole('heading').allTextContents()).toEqual(['Error', 'File', 'Page', 'Tool'])
  expect(await card.textContent()).toContain('Hydration failed because the initial UI does not match')
  expect(await card.locator('pre code').nth(1).textContent()).toContain('export default function Page()')
  expect(await card.locator('pre code .t-keyword').first().textContent()).toBe('export')
  expect(await card.textContent()).not.toContain('Hello')
  const cardFirst = await pane.evaluate((article) => {
    const context = article.querySelector('.context')
    const messages = article.querySelector('.messages')
    return Boolean(
      context && messages && context.compareDocumentPosition(messages) & Node.DOCUMENT_POSITION_FOLLOWING,
    )
  })
  expect(cardFirst).toBe(true)

  // A pasted AWS key is caught before it is sent; the user redacts it.
  await expect.poll(() => dialog.getByText('Grace Hopper joined').isVisible()).toBe(true)
  const composer = dialog.getByLabel('Write a message')
  await composer.focus()
  await vendor.page.keyboard.insertText(`My deploy key is ${awsKey}, does it need s3:PutObject?`)
  await composer.press('Enter')
  const warning = dialog.getByRole('alertdialog')
  await expect.poll(() => warning.textContent()).toContain('aws access key id')
  await warning.getByRole('button', { name: 'Redact and send' }).click()
  await expect
    .poll(() =>
      pane.getByText('My deploy key is [redacted aws-access-key-id], does it need s3:PutObject?').isVisible(),
    )
    .toBe(true)

  // On the server: the context without the diff, and no message holding the key.
  const { accessToken } = await signIn(sites.server.url, DEMO.user.email)
  const sessions = await (
    await fetch(`${sites.server.url}/v1/sessions`, { headers: { authorization: `Bearer ${accessToken}` } })
  ).json()
  const stored = sessions.sessions.find((s: { topic: string }) => s.topic === topic)
  expect(Object.keys(stored.context).sort()).toEqual(['error', 'file', 'tool', 'url'])
  const bodies = (await allMessages(sites.server.url, accessToken, stored.id)).map((m) => m.body)
  expect(bodies).toContain('My deploy key is [redacted aws-access-key-id], does it need s3:PutObject?')
  expect(bodies.join('\n')).not.toContain(awsKey)

  expect(vendor.problems.errors).toEqual([])
  expect(builder.problems.errors).toEqual([])
})
