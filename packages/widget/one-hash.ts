import { createHash } from 'node:crypto'
import type { Plugin } from 'vite'

/** A content-hashed chunk name as rolldown writes it (`core-Bu2M6j.js`). */
const HASHED = /-[\w-]{6}\.js$/

/**
 * Every chunk named with one hash, that of the whole build (`core-3fZ9aQ.js`, `de-3fZ9aQ.js`…),
 * instead of a hash each. The core names ~20 chunks; twenty random strings cost ~150 B brotli on open,
 * one costs a few (though brotli's output still moves by ±25 B with which six characters it is). The
 * hash covers every chunk, so a name still changes whenever anything in the build does, and caching
 * chunks forever stays safe. What it costs: a deploy now also renames the chunks it did not change
 * (the catalogues), which returning visitors then download again; the others change name with the
 * core already, since they name it.
 */
export const oneHash: Plugin = {
  name: 'suportra:one-hash',
  // Last: after Vite has written each dynamic import's dependencies in (a renamed chunk is emitted as
  // a file, which no plugin touches again).
  enforce: 'post',
  generateBundle: {
    order: 'post',
    handler(_, bundle) {
      if (
        Object.values(bundle).some((file) => file.type === 'chunk' && file.code.includes('__VITE_PRELOAD__'))
      )
        throw new Error('suportra:one-hash ran before Vite finished the chunks')
      const hashed = Object.keys(bundle)
        .filter((name) => HASHED.test(name))
        .sort()
      const hash = createHash('sha256')
      for (const name of hashed) {
        const file = bundle[name]
        hash.update(`${name}\0${file?.type === 'chunk' ? file.code : file?.source}\0`)
      }
      const build = hash.digest('base64url').slice(0, 6)
      const renames = new Map(hashed.map((name) => [name, name.replace(HASHED, `-${build}.js`)]))
      if (new Set(renames.values()).size !== renames.size)
        throw new Error('suportra:one-hash: two chunks would share a name (give them different names)')
      const rename = (name: string) => renames.get(name) ?? name
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue
        // Every place a chunk names another: static and dynamic imports, always `./name.js` in quotes.
        const code = file.code.replace(/(?<=["'`]\.\/)[\w.-]+\.js(?=["'`])/g, rename)
        const to = renames.get(file.fileName)
        if (!to) file.code = code
        else {
          // (Rolldown lets a plugin drop a chunk and emit a file, not rename one.)
          delete bundle[file.fileName]
          this.emitFile({ type: 'asset', fileName: to, source: code })
        }
      }
    },
  },
}
