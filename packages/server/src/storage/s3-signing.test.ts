import { createHash, createHmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { expect, test } from 'vitest'

// The S3 store signs its requests with the AWS SDK's SigV4 signer. s3rver (files.integration.test.ts)
// does not verify V4 signatures, so the signer is checked here against AWS's documented example
// ("Example: GET Object" in the S3 API reference, Signature Version 4, header-based auth).

type SourceData = string | ArrayBuffer | ArrayBufferView

const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data)

/** SHA-256 / HMAC-SHA256 in the shape the signer takes (the SDK passes its own, the same functions). */
class Sha256 {
  readonly #hash
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data: SourceData) {
    this.#hash.update(bytes(data))
  }
  async digest() {
    return new Uint8Array(this.#hash.digest())
  }
}

test('GET Object: the signature AWS documents', async () => {
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    sha256: Sha256,
    uriEscapePath: false, // as the S3 client signs
    applyChecksum: true,
  })
  const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      query: {},
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': emptyHash,
      },
    },
    { signingDate: new Date('2013-05-24T00:00:00Z') },
  )
  expect(signed.headers.authorization).toBe(
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  )
})
