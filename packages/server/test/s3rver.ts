import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'

/**
 * s3rver (an S3-compatible server in Node, from the registry) on a free loopback port with one
 * bucket, in a temporary folder. It checks request signatures with the secret `S3RVER`.
 */
export async function startS3rver(bucket: string) {
  const directory = mkdtempSync(join(tmpdir(), 'suportra-s3rver-'))
  const instance = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const server = (await instance.run()) as Server | AddressInfo
  const address = (
    'address' in server && typeof server.address === 'function' ? server.address() : server
  ) as AddressInfo
  const url = `http://127.0.0.1:${address.port}`
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  return {
    url,
    async keys(): Promise<string[]> {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
      return (page.Contents ?? []).map((o) => o.Key ?? '').sort()
    },
    async close() {
      client.destroy()
      await instance.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
