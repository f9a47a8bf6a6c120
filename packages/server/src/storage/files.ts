/** A stored file, ready to stream: its size as stored (checked against the attachment row). */
export interface StoredFile {
  size: number
  stream: ReadableStream<Uint8Array>
}

/**
 * Where attachment contents live, by attachment id. The database row (`attachments`) is the
 * record; this only holds bytes. Downloads always go through the server (`GET /v1/attachments/:id`
 * checks who asks), whatever the backend: no backend ever hands out a public URL.
 *
 * - `disk` (default): a folder (`--data-dir`); several instances need it shared.
 * - `database`: a table in the database itself, so several PostgreSQL instances need nothing else.
 * - `s3`: an S3-compatible bucket (AWS S3, MinIO, R2…), through the official AWS SDK.
 */
export interface FileStore {
  readonly kind: 'disk' | 'database' | 's3'
  put(id: string, data: Uint8Array, type: string): Promise<void>
  /** The file, or undefined when nothing is stored under `id`. */
  get(id: string): Promise<StoredFile | undefined>
  /** Removes the files (missing ones are fine). */
  remove(ids: string[]): Promise<void>
  /**
   * Removes files older than `graceMs` that have no attachment row (`known` answers which of a batch
   * of ids have one): what a crash between a deletion's commit and its file removal leaves.
   */
  sweepOrphans(known: (ids: string[]) => Promise<Set<string>>, graceMs: number): Promise<number>
}

export type FilesConfig =
  | { backend: 'disk' }
  | { backend: 'database' }
  | {
      backend: 's3'
      bucket: string
      /** For S3-compatible services (`https://minio.internal:9000`); unset for AWS. */
      endpoint: string | undefined
      region: string
      /** Unset: the SDK's usual chain (AWS_ACCESS_KEY_ID…, instance roles). */
      accessKeyId: string | undefined
      secretAccessKey: string | undefined
      /** `bucket` in the path rather than the host name (most S3-compatible servers want it). */
      forcePathStyle: boolean
      /** Key prefix inside the bucket, e.g. `suportra/`. */
      prefix: string
    }
