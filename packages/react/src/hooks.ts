'use client'
import type { ChatMessage, Session, SessionHandle, Typing, User } from '@suportra/client'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { useSuportra } from './provider.js'

interface Store<T> {
  get(): T
  listen(listener: () => void): () => void
}

/**
 * Reads a nanostore with `useSyncExternalStore`: no tearing, no copy in state, and the store's
 * network work starts while a component watches it. On the server it returns the initial value.
 */
export function useStore<T>(store: Store<T>): T {
  const subscribe = useCallback((listener: () => void) => store.listen(listener), [store])
  const get = useCallback(() => store.get(), [store])
  return useSyncExternalStore(subscribe, get, get)
}

/** The signed-in user, or null. */
export function useUser(): User | null {
  return useStore(useSuportra().$user)
}

/** The realtime status: `idle`, `connecting`, `open`, `reconnecting` or `offline`. */
export function useConnection() {
  return useStore(useSuportra().$connection)
}

/** Binds `names` of `target` once per target: the functions keep their identity across renders. */
function useBound<T extends object, K extends keyof T>(target: T, names: readonly K[]): Pick<T, K> {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `names` is a constant list at every call site
  return useMemo(
    () =>
      Object.fromEntries(
        names.map((name) => [name, (target[name] as (...args: unknown[]) => unknown).bind(target)]),
      ) as Pick<T, K>,
    [target],
  )
}

const CREDITS = ['refresh', 'transactions', 'packs', 'checkout'] as const

/** The live credit balance (undefined until loaded), the ledger, the packs for sale and checkout. */
export function useCredits() {
  const { credits } = useSuportra()
  return { balance: useStore(credits.$balance), ...useBound(credits, CREDITS) }
}

/** The user's rights over their data: export everything, delete the account. */
export function useAccount() {
  const { account } = useSuportra()
  const bound = useBound(account, ['export', 'delete'] as const)
  return { exportData: bound.export, deleteAccount: bound.delete }
}

/** Your sessions, live, and `start()`. */
export function useSessions() {
  const { sessions } = useSuportra()
  return { sessions: useStore(sessions.$list), ...useBound(sessions, ['start'] as const) }
}

/** What `useSession()` binds from the session's handle (`typing()` is `notifyTyping`: `typing` is the state). */
const SESSION = [
  'send',
  'retry',
  'discard',
  'markRead',
  'loadOlder',
  'close',
  'cancel',
  'rate',
  'upgradeToVideo',
] as const

export type UseSession = {
  session: Session | undefined
  messages: ChatMessage[]
  typing: Typing | null
  hasOlder: boolean
  /** The handle itself, for everything else (`deleteTranscript()`, `upgradeToVideo()`…). */
  handle: SessionHandle
  notifyTyping: SessionHandle['typing']
} & Pick<SessionHandle, (typeof SESSION)[number]>

/** One session, live: its state, its transcript (with unsent messages), typing, and what you can do with it. */
export function useSession(id: string): UseSession {
  const client = useSuportra()
  const handle = useMemo(() => client.sessions.get(id), [client, id])
  const { typing: notifyTyping } = useBound(handle, ['typing'] as const)
  return {
    session: useStore(handle.$session),
    messages: useStore(handle.$messages),
    typing: useStore(handle.$typing),
    hasOlder: useStore(handle.$hasOlder),
    handle,
    notifyTyping,
    ...useBound(handle, SESSION),
  }
}

/** For builders: the live queue of waiting sessions, and `claim()`. */
export function useBuilderQueue() {
  const { builder } = useSuportra()
  return { queue: useStore(builder.$queue), ...useBound(builder, ['claim'] as const) }
}
