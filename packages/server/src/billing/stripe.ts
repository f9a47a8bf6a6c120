import Stripe from 'stripe'
import type { Config } from '../config.js'

/**
 * The Stripe SDK, configured from the server's settings. Without a secret key the server runs its own
 * test checkout, but webhook signatures are still checked by this SDK (with the development secret).
 */
export function createStripe(config: Config['stripe']): Stripe {
  const api = config.apiUrl ? new URL(config.apiUrl) : undefined
  return new Stripe(config.secretKey ?? 'sk_test_suportra_development', {
    telemetry: false,
    maxNetworkRetries: 2,
    ...(api && {
      host: api.hostname,
      port: api.port,
      protocol: api.protocol.replace(':', '') as 'http' | 'https',
    }),
  })
}

/** How old (seconds) a webhook signature may be: Stripe's own default. */
export const WEBHOOK_TOLERANCE_SECONDS = 300
