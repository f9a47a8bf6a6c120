import net from 'node:net'

export interface TcpProxy {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Connections handed to each target port so far. */
  served: Map<number, number>
  /** Cuts every open connection at once (a network failure); new ones are still accepted. */
  cut(): void
  close(): Promise<void>
}

/**
 * A round-robin TCP proxy on loopback, as a load balancer without sticky sessions would be: each
 * new connection (an HTTP keep-alive connection, a WebSocket) goes to the next target; a target
 * that refuses (its instance is down) is skipped. `targets` is read on every connection, so a
 * test may change it.
 */
export async function startProxy(targets: number[]): Promise<TcpProxy> {
  const served = new Map<number, number>()
  const open = new Set<net.Socket>()
  let turn = 0

  const server = net.createServer((client) => {
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => {})
    const attempt = (left: number) => {
      const port = targets[turn++ % targets.length]
      if (left === 0 || port === undefined || client.destroyed) return client.destroy()
      const upstream = net.connect(port, '127.0.0.1')
      let connected = false
      open.add(upstream)
      client.once('close', () => upstream.destroy())
      upstream.on('close', () => {
        open.delete(upstream)
        if (connected) client.destroy()
      })
      upstream.on('error', () => {
        if (!connected) attempt(left - 1)
      })
      upstream.once('connect', () => {
        connected = true
        served.set(port, (served.get(port) ?? 0) + 1)
        client.pipe(upstream).pipe(client)
      })
    }
    attempt(targets.length)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    cut() {
      for (const socket of open) socket.destroy()
    },
    async close() {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
