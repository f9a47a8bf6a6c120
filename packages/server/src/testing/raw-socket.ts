import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/**
 * Hand-made WebSocket frames and handshakes over a plain TCP socket, for what a well-behaved
 * client (`ws`, a browser) cannot send: unmasked, reserved bits, invalid UTF-8, truncated frames.
 */

export interface FrameOptions {
  /** Clients must mask; false sends the payload in clear. Default true. */
  mask?: boolean
  /** Default true; false marks a fragment. */
  fin?: boolean
  /** Reserved bits to set: 0x40 (RSV1), 0x20 (RSV2), 0x10 (RSV3). */
  rsv?: number
  /** The payload length the header announces, when it should lie (oversized or truncated frames). */
  declaredLength?: number
}

/** Opcodes: 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; 3–7 and 11–15 are reserved. */
export function frame(opcode: number, payload: string | Uint8Array = '', options: FrameOptions = {}): Buffer {
  const body = Buffer.from(payload)
  const mask = options.mask ?? true
  const length = options.declaredLength ?? body.length
  const head = [((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | opcode]
  const maskBit = mask ? 0x80 : 0
  let extended = Buffer.alloc(0)
  if (length < 126) head.push(maskBit | length)
  else if (length < 65_536) {
    head.push(maskBit | 126)
    extended = Buffer.alloc(2)
    extended.writeUInt16BE(length)
  } else {
    head.push(maskBit | 127)
    extended = Buffer.alloc(8)
    extended.writeBigUInt64BE(BigInt(length))
  }
  const key = mask ? randomBytes(4) : Buffer.alloc(0)
  if (mask) for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i % 4] ?? 0)
  return Buffer.concat([Buffer.from(head), extended, key, body])
}

/** A text frame, masked as a client's must be. */
export const textFrame = (text: string) => frame(1, text)

export interface RawSocket {
  socket: Socket
  /** Text frames the server sent, in order. */
  texts: string[]
  /** The close code the server sent; 1005 for a close frame without one, 1006 when the connection ended without any. */
  closed: Promise<number>
  /** Resolves with the first text frame (received or future) containing `part`. */
  text(part: string, timeoutMs?: number): Promise<string>
  write(bytes: Uint8Array): void
  /** Destroys the TCP connection. */
  destroy(): void
}

export interface RawOptions {
  /** Source address to connect from (e.g. 127.0.0.2 on Linux, where all of 127/8 is local). */
  localAddress?: string
  /** Replaces the request head entirely (garbage handshakes). */
  request?: string
  headers?: Record<string, string>
  path?: string
  /** Answer the server's close frame and end the connection, as a client should. Default true. */
  answerClose?: boolean
}

/**
 * Opens a TCP connection to `url` (http://host:port), sends a WebSocket handshake (or
 * `options.request`) and resolves once the server answered it: with `status` 101 the socket is a
 * WebSocket, otherwise it holds the HTTP answer.
 */
export function rawSocket(url: string, options: RawOptions = {}): Promise<RawSocket & { status: number }> {
  const { hostname, port } = new URL(url)
  const socket = connect({
    host: hostname,
    port: Number(port),
    ...(options.localAddress && { localAddress: options.localAddress }),
  })
  socket.on('error', () => {})
  const headers = {
    host: `${hostname}:${port}`,
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    'sec-websocket-version': '13',
    ...options.headers,
  }
  socket.write(
    options.request ??
      `GET ${options.path ?? '/v1/realtime'} HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
  )
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    let status = 0
    const texts: string[] = []
    const waiters = new Set<() => void>()
    let closeCode: number | undefined
    let finish: (code: number) => void = () => {}
    const closed = new Promise<number>((done) => {
      finish = done
    })
    socket.on('close', () => {
      if (!status) reject(new Error('connection closed before any answer'))
      finish(closeCode ?? 1006)
    })
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!status) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        status = Number(buffer.subarray(0, end).toString().split(' ')[1])
        buffer = buffer.subarray(end + 4)
        resolve(handle)
      }
      if (status !== 101) return
      // Server frames: unmasked, a payload under 2^32.
      while (buffer.length >= 2) {
        const opcode = (buffer[0] ?? 0) & 0x0f
        let length = (buffer[1] ?? 0) & 0x7f
        let offset = 2
        if (length === 126) {
          if (buffer.length < 4) return
          length = buffer.readUInt16BE(2)
          offset = 4
        } else if (length === 127) {
          if (buffer.length < 10) return
          length = Number(buffer.readBigUInt64BE(2))
          offset = 10
        }
        if (buffer.length < offset + length) return
        const payload = buffer.subarray(offset, offset + length)
        buffer = buffer.subarray(offset + length)
        if (opcode === 1) texts.push(payload.toString())
        if (opcode === 8 && closeCode === undefined) {
          closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005
          // Answer as a real client does, so the server need not wait for its close timeout.
          if (options.answerClose !== false && socket.writable) socket.end(frame(8, payload.subarray(0, 2)))
        }
        for (const wake of waiters) wake()
      }
    })
    const handle = {
      socket,
      texts,
      get status() {
        return status
      },
      closed,
      text(part: string, timeoutMs = 5_000) {
        return new Promise<string>((found, fail) => {
          const check = () => {
            const hit = texts.find((t) => t.includes(part))
            if (hit === undefined) return
            clearTimeout(timer)
            waiters.delete(check)
            found(hit)
          }
          const timer = setTimeout(() => {
            waiters.delete(check)
            fail(new Error(`no frame with ${part} within ${timeoutMs} ms; got ${JSON.stringify(texts)}`))
          }, timeoutMs)
          waiters.add(check)
          check()
        })
      },
      write: (bytes: Uint8Array) => {
        if (socket.writable) socket.write(bytes)
      },
      destroy: () => socket.destroy(),
    }
  })
}

/** The HTTP answer (status line and all) to raw bytes sent to `url`, read until the server closes. */
export function rawExchange(url: string, bytes: string | Uint8Array, localAddress?: string): Promise<string> {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port), ...(localAddress && { localAddress }) })
  let answer = ''
  socket.on('data', (chunk) => {
    answer += chunk
  })
  socket.write(bytes)
  return new Promise((resolve) => {
    socket.on('error', () => resolve(answer))
    socket.on('close', () => resolve(answer))
  })
}
