// The account screens on the script-tag page, in English and Arabic, at 1366×768 and 375×667: sign-in
// with its account links, sign-up, "forgot password" and its answer, "choose a new password" (opened
// from a reset link), and editing the name and email.
import { fileURLToPath } from 'node:url'
import { createUser, DEMO } from '@suportra/server/testing'
import type { Locator, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { arAccount } from '../../packages/widget/src/i18n/ar.account.js'
import { ar } from '../../packages/widget/src/i18n/ar.js'
import { arLater } from '../../packages/widget/src/i18n/ar.later.js'
import { enAccount } from '../../packages/widget/src/i18n/en.account.js'
import { en } from '../../packages/widget/src/i18n/en.js'
import { enLater } from '../../packages/widget/src/i18n/en.later.js'
import { setupSites } from '../support/sites.js'
import { shotPath } from './shot-path.js'

const root = fileURLToPath(new URL('../script-tag/', import.meta.url))
const sites = setupSites({ closeAfterEach: true })
const SIZES = [
  { width: 1366, height: 768 },
  { width: 375, height: 667 },
]
const LOCALES = { en: { ...en, ...enLater, ...enAccount }, ar: { ...ar, ...arLater, ...arAccount } }

/** The reset link sent to `to` (queued by the server just after it answered). */
async function resetLink(to: string): Promise<string> {
  const { db } = sites.server.current.context.store
  let link: string | undefined
  await expect
    .poll(async () => {
      const rows = await db.selectFrom('emails').select('body').where('to_address', '=', to).execute()
      link = rows.at(-1)?.body.match(/(http\S+#suportra-reset=[\w-]+)/)?.[1]
      return link
    })
    .toBeDefined()
  return link as string
}

for (const [locale, t] of Object.entries(LOCALES)) {
  for (const size of SIZES) {
    test(`account screens, ${locale}, ${size.width}×${size.height}`, async () => {
      const { user } = await createUser(sites.server, { name: locale === 'ar' ? 'ليلى' : 'Ada Byron' })
      const email = user.email as string
      let page!: Page
      const shot = async (name: string, ready: Locator) => {
        await ready.waitFor()
        // Let the panel's opening animation and the fonts settle.
        await page.waitForTimeout(300)
        await page.screenshot({ path: shotPath(`accounts-${name}-${locale}`, page) })
      }
      const open = async (path = '/') => {
        ;({ page } = await sites.open(root, {
          path,
          beforeLoad: async (p) => {
            await p.setViewportSize(size)
            // The widget speaks the browser's language.
            await p.addInitScript((lang) => {
              Object.defineProperty(navigator, 'languages', { get: () => [lang] })
            }, locale)
          },
        }))
        return page
      }
      const panel = () => page.getByRole('dialog', { name: t.title })

      await open()
      await page.getByRole('button', { name: t.launcher, exact: true }).click()
      await shot('sign-in', panel().getByRole('button', { name: t.forgot }))
      await panel().getByRole('button', { name: t.signUp }).click()
      await panel()
        .getByLabel(t.name)
        .fill(locale === 'ar' ? 'سلمى' : 'Hedy Lamarr')
      await panel().getByLabel(t.email).fill('hedy@example.com')
      await panel().getByLabel(t.password).fill('frequency-hopping')
      await panel().getByLabel(t.ageConfirm).check()
      await shot('sign-up', panel().getByLabel(t.ageConfirm))

      await panel().getByRole('button', { name: t.back }).click()
      await panel().getByRole('button', { name: t.forgot }).click()
      await panel().getByLabel(t.email).fill(email)
      await shot('forgot', panel().getByRole('button', { name: t.sendLink }))
      await panel().getByRole('button', { name: t.sendLink }).click()
      await shot('link-sent', panel().getByRole('status'))

      const link = new URL(await resetLink(email))
      await open(`${link.pathname}${link.search}${link.hash}`)
      await panel().getByLabel(t.password).fill('a-new-password')
      await shot('new-password', panel().getByRole('button', { name: t.savePassword }))
      await panel().getByRole('button', { name: t.savePassword }).click()

      await panel().getByRole('button', { name: t.account }).click()
      await shot('account', panel().getByRole('button', { name: t.editAccount }))
      await panel().getByRole('button', { name: t.editAccount }).click()
      await panel().getByLabel(t.currentPassword).fill(DEMO.user.password)
      await shot('edit', panel().getByLabel(t.currentPassword))
    })
  }
}
