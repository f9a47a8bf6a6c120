// axe-core in the page: injected from node_modules, run on the widget's shadow tree or a whole page.
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

export interface Violation {
  id: string
  impact: string | null
  /** `wcag2aa`, `best-practice`…: which rule set the rule belongs to. */
  tags: string[]
  help: string
  nodes: string[]
}

/** Runs axe (WCAG 2.2 A/AA and best practices) on the widget (`suportra-widget`) or the whole page. */
export async function axe(page: Page, scope: 'widget' | 'page'): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  return page.evaluate(async (scope) => {
    type Axe = {
      run(
        context: unknown,
        options: unknown,
      ): Promise<{
        violations: {
          id: string
          impact: string | null
          tags: string[]
          help: string
          nodes: { target: unknown[]; failureSummary?: string }[]
        }[]
      }>
    }
    const { axe } = window as unknown as { axe: Axe }
    const context = scope === 'widget' ? { include: [['suportra-widget']] } : document
    const result = await axe.run(context, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      tags: v.tags.filter((tag) => /^wcag\d+a+$|^best-practice$/.test(tag)),
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
    }))
  }, scope)
}
