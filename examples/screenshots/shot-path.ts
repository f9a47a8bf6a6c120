import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

const dir = fileURLToPath(new URL('../../screenshots/', import.meta.url))

/** `screenshots/<name>-<width>x<height>.png` at the repository root (the folder is created). */
export function shotPath(name: string, page: Page): string {
  mkdirSync(dir, { recursive: true })
  const size = page.viewportSize()
  return join(dir, `${name}-${size?.width ?? 0}x${size?.height ?? 0}.png`)
}
