'use client'
import type { SuportraClient } from '@suportra/client'
import { createContext, type ReactNode, useContext } from 'react'

/** The provider's client (null outside one): `<SuportraWidget>` drives it when there is one. */
export const ClientContext = createContext<SuportraClient | null>(null)

/** Makes a client (from `createClient`) available to the hooks below it. Create the client once, outside render. */
export function SuportraProvider({ client, children }: { client: SuportraClient; children?: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>
}

/** The client from the nearest `<SuportraProvider>`. */
export function useSuportra(): SuportraClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useSuportra: wrap your app in <SuportraProvider client={…}>')
  return client
}
