import type { Environment } from 'vitest/environments'
import { builtinEnvironments } from 'vitest/runtime'

/**
 * happy-dom for the DOM, Node for the network. Component and hook tests run the real server in the
 * same process; happy-dom's fetch, Request, Headers, URL and Blob would otherwise replace the ones
 * the server (and Node's own fetch) are built on. Everything DOM-related stays happy-dom's.
 */
const NODE_KEYS = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'FormData',
  'Blob',
  'File',
  'URL',
  'URLSearchParams',
  'AbortController',
  'AbortSignal',
  'TextEncoder',
  'TextDecoder',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
] as const

const happyDom = builtinEnvironments['happy-dom']

const environment: Environment = {
  ...happyDom,
  name: 'happy-dom-node-network',
  async setup(global, options) {
    const node = Object.fromEntries(NODE_KEYS.map((key) => [key, global[key]]))
    const environment = await happyDom.setup(global, options)
    for (const key of NODE_KEYS) global[key] = node[key]
    return environment
  },
}

export default environment
