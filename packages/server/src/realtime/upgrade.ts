import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type ServerOptions, WebSocketServer } from 'ws'
import type { Context } from '../context.js'
import { socketIp } from '../http/request.js'
import type { Hub } from './hub.js'

/** How long a closing socket may take to answer the close frame before it is cut. */
const CLOSE_TIMEOUT_MS = 3_000
/** Fragments one message may arrive in (browsers and `ws` send a small message in one). */
const MAX_FRAGMENTS = 64

/**
 * Serves realtime at `/v1/realtime` on `server`, and makes sure nothing a client sends there can
 * end the process: every raw socket, handshake and WebSocket has an error handler, a bad handshake
 * gets a 4xx, and a protocol violation closes that socket only (see `Hub.accept`).
 */
export function serveRealtime(server: Server, hub: Hub, ctx: Context): WebSocketServer {
  const { log, config } = ctx
  // `closeTimeout` (ws 8.19+) is not in @types/ws yet.
  const options: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: config.maxFrameBytes,
    maxFragments: MAX_FRAGMENTS,
    closeTimeout: CLOSE_TIMEOUT_MS,
  }
  const wss = new WebSocketServer(options)
  // Only a listening WebSocketServer emits this; kept so a future change cannot crash the process.
  wss.on('error', (err) => log.error({ err }, 'realtime server error'))
  // A malformed upgrade request (bad key, version, method…): answer it and say why.
  wss.on('wsClientError', (err, socket, request) => {
    log.info({ ip: socketIp(request, config.trustProxy), reason: err.message }, 'realtime handshake refused')
    refuse(socket, request.method === 'GET' ? 400 : 405, err.message)
  })

  // Bytes that are not HTTP at all, or a request the parser gives up on.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    log.debug({ code: err.code }, 'malformed HTTP request')
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy()
    refuse(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, 'Malformed request')
  })

  server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
    // Before anything else: a reset mid-handshake must not be an unhandled error.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log.debug({ code: err.code }, 'realtime socket error during the handshake')
      socket.destroy()
    })
    // Not `new URL()`: it throws on targets such as `//[`, and nothing here may throw.
    const path = (request.url ?? '/').split('?')[0]
    if (path !== '/v1/realtime') return refuse(socket, 404, 'Not found')
    wss.handleUpgrade(request, socket, head, (ws) => hub.accept(ws, request))
  })
  return wss
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
}

/** Answers a raw socket with a plain-text HTTP error and closes it. */
function refuse(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  )
  socket.once('finish', () => socket.destroy())
}
