import type { Database } from '../db/database.js'
import { databaseFiles } from './database-files.js'
import { diskFiles } from './disk-files.js'
import type { FileStore, FilesConfig } from './files.js'

/** The file store `config` names; the S3 SDK is loaded only when it is used. */
export async function openFiles(config: FilesConfig, store: Database, dir: string): Promise<FileStore> {
  if (config.backend === 'database') return databaseFiles(store)
  if (config.backend === 's3') {
    const { s3Files } = await import('./s3-files.js')
    return s3Files(config)
  }
  return diskFiles(dir)
}
