import { readFile } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { CliError } from '../errors.js'
import { guard, type SecretPolicy } from '../io/guard.js'

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
}

/** UTF-8 without NUL bytes (BOM kept) is text; anything else, or a file of 2 MiB or more, is binary. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 2 * 1024 * 1024 || bytes.includes(0)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * A file to attach, byte for byte: a text file is checked for secrets first (and rewritten only if
 * they are redacted); a binary file (an image, an archive) goes as it is. Undefined: not to be sent.
 */
export async function attachment(path: string, policy: SecretPolicy): Promise<File | undefined> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(
      `cannot read --attach ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    )
  })
  const name = basename(path)
  const text = asText(bytes)
  const type =
    TYPES[extname(name).toLowerCase()] ?? (text === undefined ? 'application/octet-stream' : 'text/plain')
  if (text === undefined) return new File([bytes], name, { type })
  const checked = await guard(text, name, policy)
  if (checked === undefined) return undefined
  return new File([checked === text ? bytes : checked], name, { type })
}
