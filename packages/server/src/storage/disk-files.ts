import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { FileStore } from './files.js'

const BATCH = 500

/** Attachments as files in a folder, one per id (written as `<id>.part`, then renamed). */
export function diskFiles(dir: string): FileStore {
  return {
    kind: 'disk',
    async put(id, data) {
      const path = join(dir, id)
      try {
        await mkdir(dir, { recursive: true })
        await writeFile(`${path}.part`, data)
        await rename(`${path}.part`, path)
      } catch (error) {
        await rm(`${path}.part`, { force: true }).catch(() => {})
        throw error
      }
    },
    async get(id) {
      const file = await open(join(dir, id), 'r').catch(() => undefined)
      if (!file) return undefined
      const { size } = await file.stat()
      return {
        size,
        stream: Readable.toWeb(createReadStream('', { fd: file })) as ReadableStream<Uint8Array>,
      }
    },
    async remove(ids) {
      await Promise.all(
        ids.flatMap((id) => [
          rm(join(dir, id), { force: true }),
          rm(join(dir, `${id}.part`), { force: true }),
        ]),
      )
    },
    async sweepOrphans(known, graceMs) {
      let removed = 0
      const names = await readdir(dir).catch(() => [] as string[])
      for (let i = 0; i < names.length; i += BATCH) {
        const batch = names.slice(i, i + BATCH)
        const ids = await known([...new Set(batch.map((name) => name.replace(/\.part$/, '')))])
        for (const name of batch) {
          if (ids.has(name.replace(/\.part$/, ''))) continue
          const path = join(dir, name)
          const info = await stat(path).catch(() => undefined)
          if (!info?.isFile() || Date.now() - info.mtimeMs < graceMs) continue
          await rm(path, { force: true })
          removed++
        }
      }
      return removed
    },
  }
}
