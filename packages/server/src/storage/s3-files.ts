import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { FileStore, FilesConfig } from './files.js'

type S3Config = Extract<FilesConfig, { backend: 's3' }>

/** DeleteObjects takes at most 1000 keys. */
const BATCH = 1000

/**
 * Attachments in an S3-compatible bucket through the official AWS SDK. Objects are private: the
 * server reads them and streams them to the caller it authorized, so the bucket needs no public
 * access and no URL to an object ever leaves the server.
 */
export function s3Files(config: S3Config, client = s3Client(config)): FileStore {
  const key = (id: string) => `${config.prefix}${id}`
  const remove = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH)
      await client.send(
        new DeleteObjectsCommand({
          Bucket: config.bucket,
          Delete: { Objects: batch.map((id) => ({ Key: key(id) })), Quiet: true },
        }),
      )
    }
  }
  return {
    kind: 's3',
    async put(id, data, type) {
      await client.send(
        new PutObjectCommand({ Bucket: config.bucket, Key: key(id), Body: data, ContentType: type }),
      )
    },
    async get(id) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: key(id) }))
        if (!object.Body) return undefined
        return {
          size: object.ContentLength ?? 0,
          stream: object.Body.transformToWebStream() as ReadableStream<Uint8Array>,
        }
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NotFound') return undefined
        throw error
      }
    },
    remove,
    async sweepOrphans(known, graceMs) {
      let removed = 0
      let token: string | undefined
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: config.bucket,
            Prefix: config.prefix,
            ContinuationToken: token,
          }),
        )
        const old = (page.Contents ?? []).filter(
          (o) => o.Key && (o.LastModified?.getTime() ?? 0) < Date.now() - graceMs,
        )
        const ids = old.map((o) => (o.Key as string).slice(config.prefix.length))
        const keep = ids.length > 0 ? await known(ids) : new Set<string>()
        const orphans = ids.filter((id) => !keep.has(id))
        if (orphans.length > 0) await remove(orphans)
        removed += orphans.length
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return removed
    },
  }
}

export function s3Client(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint && { endpoint: config.endpoint }),
    ...(config.accessKeyId &&
      config.secretAccessKey && {
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      }),
  })
}
