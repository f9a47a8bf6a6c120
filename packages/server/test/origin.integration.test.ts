import { readdirSync } from 'node:fs'
import { request } from 'node:http'
import { CLOSE_CODES } from '@suportra/protocol'
import { api, DEMO, signIn, startTestServer, type TestServer } from '@suportra/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'

// The server's own origin is its public URL (the listen address in development), never what the
// Host header says: a DNS-rebinding page (rebind.evil, resolving to this server) sends its own name
// as Host and as Origin. And every response carries the security headers.

let server: TestServer
let token: string
beforeAll(async () => {
  server = await startTestServer()
  token = (await signIn(server.url, DEMO.user.email)).accessToken
})
afterAll(() => server.close())

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTP request with the headers exactly as given (fetch does not let a caller set Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const { hostname, port } = new URL(url)
  return new Promise<Raw>((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const rebind = () => `rebind.evil:${new URL(server.url).port}`

describe('DNS rebinding: a forged Host with a matching Origin', () => {
  test('is refused on /v1/me (403, no CORS grant)', async () => {
    const me = await raw(server.url, 'GET', '/v1/me', {
      host: rebind(),
      origin: `http://${rebind()}`,
      authorization: `Bearer ${token}`,
    })
    expect(me.status).toBe(403)
    expect(JSON.parse(me.body).error.code).toBe('forbidden')
    expect(me.headers['access-control-allow-origin']).toBeUndefined()
    // A preflight from that origin is not granted either.
    const preflight = await raw(server.url, 'OPTIONS', '/v1/me', {
      host: rebind(),
      origin: `http://${rebind()}`,
      'access-control-request-method': 'GET',
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
  })

  test('is refused on sign-in, so a rebinding page cannot guess passwords either', async () => {
    const result = await raw(
      server.url,
      'POST',
      '/v1/auth/sign-in',
      {
        host: rebind(),
        origin: `http://${rebind()}`,
        'x-suportra-app': DEMO.appId,
        'content-type': 'application/json',
      },
      JSON.stringify({ email: DEMO.user.email, password: DEMO.user.password }),
    )
    expect(result.status).toBe(403)
  })

  test('is refused on /dev/mail (no email shown), with or without an Origin', async () => {
    const forged: Record<string, string>[] = [
      { host: rebind(), origin: `http://${rebind()}` },
      { host: rebind() },
    ]
    for (const headers of forged) {
      const mail = await raw(server.url, 'GET', '/dev/mail', headers)
      expect(mail.status).toBe(403)
      expect(mail.body).not.toContain(DEMO.user.email)
    }
    // The server's own names still work: the listen address, localhost, an IP.
    for (const host of [new URL(server.url).host, `localhost:${new URL(server.url).port}`]) {
      const mail = await raw(server.url, 'GET', '/dev/mail', { host })
      expect(mail.status).toBe(200)
      expect(mail.body).toContain('Local email outbox')
    }
  })

  test('a realtime socket from the rebinding page is refused', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/realtime`, {
      headers: { host: rebind(), origin: `http://${rebind()}` },
    })
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    ws.send(JSON.stringify({ type: 'auth', token }))
    expect(await closed).toBe(CLOSE_CODES.revoked)
  })

  test('checkout links use the public URL, not the Host header', async () => {
    const result = await raw(
      server.url,
      'POST',
      '/v1/credits/checkout',
      { host: rebind(), authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      JSON.stringify({ packId: 'pack_3', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/no` }),
    )
    expect(result.status).toBe(200)
    expect(new URL(JSON.parse(result.body).url).origin).toBe(server.url)
    // A return URL on the forged host is not the server's own origin.
    const forged = await raw(
      server.url,
      'POST',
      '/v1/credits/checkout',
      { host: rebind(), authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      JSON.stringify({
        packId: 'pack_3',
        successUrl: `http://${rebind()}/ok`,
        cancelUrl: `${server.url}/no`,
      }),
    )
    expect(forged.status).toBe(403)
  })
})

describe('the public origin', () => {
  test('by default the listen address is the server’s own origin', async () => {
    const me = await api(server.url, 'GET', '/v1/me', { token, headers: { origin: server.url } })
    expect(me.status).toBe(200)
    expect(me.headers.get('access-control-allow-origin')).toBe(server.url)
  })

  test('with publicUrl set, that origin is the server’s own, and HSTS is sent', async () => {
    const behindProxy = await startTestServer({ publicUrl: 'https://chat.example.test' })
    try {
      const own = await signIn(behindProxy.url, DEMO.user.email)
      const me = await api(behindProxy.url, 'GET', '/v1/me', {
        token: own.accessToken,
        headers: { origin: 'https://chat.example.test' },
      })
      expect(me.status).toBe(200)
      expect(me.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/)
      const other = await api(behindProxy.url, 'GET', '/v1/me', {
        token: own.accessToken,
        headers: { origin: 'https://other.example.test' },
      })
      expect(other.status).toBe(403)
      // The development pages answer to the public host name.
      const mail = await raw(behindProxy.url, 'GET', '/dev/mail', { host: 'chat.example.test' })
      expect(mail.status).toBe(200)
    } finally {
      await behindProxy.close()
    }
  })

  test('a publicUrl that is not an origin is refused at start with a readable message', async () => {
    await expect(startTestServer({ publicUrl: 'chat.example.test' })).rejects.toThrow(/not a URL/)
    await expect(startTestServer({ publicUrl: 'https://chat.example.test/app' })).rejects.toThrow(
      /without a path/,
    )
  })
})

describe('security headers on every response', () => {
  const expectSecure = (headers: Headers) => {
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    expect(headers.get('referrer-policy')).toBe('no-referrer')
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    // Over http (development) there is no HSTS: it is for https public URLs only.
    expect(headers.get('strict-transport-security')).toBeNull()
  }

  test('JSON answers, errors, 404s and health', async () => {
    for (const result of [
      await api(server.url, 'GET', '/v1/me', { token }),
      await api(server.url, 'GET', '/v1/me'),
      await api(server.url, 'GET', '/v1/nothing-here'),
      await api(server.url, 'POST', '/v1/auth/sign-in', {
        app: DEMO.appId,
        raw: '{',
        headers: { 'content-type': 'application/json' },
      }),
      await api(server.url, 'GET', '/health'),
    ]) {
      expectSecure(result.headers)
      expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    }
  })

  test('the widget’s files stay loadable from any host page; the dev pages keep their own CSP', async () => {
    // (`pnpm build` builds the widget first; the server serves it from packages/widget/dist/cdn.)
    const loader = await fetch(`${server.url}/widget.js`)
    expect(loader.status).toBe(200)
    expect(loader.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect(loader.headers.get('access-control-allow-origin')).toBe('*')
    expect(loader.headers.get('x-content-type-options')).toBe('nosniff')
    await loader.arrayBuffer()
    const mail = await fetch(`${server.url}/dev/mail`)
    expect(mail.status).toBe(200)
    expect(mail.headers.get('content-security-policy')).toContain("style-src 'unsafe-inline'")
    expect(mail.headers.get('x-content-type-options')).toBe('nosniff')
    await mail.text()
  })

  test('the widget’s content-hashed chunks are cached for good; the loader and app.js for five minutes', async () => {
    const built = readdirSync(new URL('../../widget/dist/cdn/widget/', import.meta.url))
    const chunks = built.filter((file) => file.endsWith('.js') && file !== 'app.js')
    expect(chunks.some((file) => /^core-[\w-]+\.js$/.test(file))).toBe(true)
    const cacheOf = async (path: string) => {
      const response = await fetch(`${server.url}${path}`)
      expect(response.status, path).toBe(200)
      await response.arrayBuffer()
      return response.headers.get('cache-control')
    }
    for (const file of chunks)
      expect(await cacheOf(`/widget/${file}`), file).toBe('public, max-age=31536000, immutable')
    for (const path of ['/widget.js', '/widget/app.js'])
      expect(await cacheOf(path), path).toBe('public, max-age=300')
  })
})
