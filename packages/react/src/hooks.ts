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

/** The live credit balance (undefined until loaded), the ledger, the packs for sale and checkout. */
export function useCredits() {
  const { credits } = useSuportra()
  return {
    balance: useStore(credits.$balance),
    refresh: credits.refresh.bind(credits),
    transactions: credits.transactions.bind(credits),
    packs: credits.packs.bind(credits),
    checkout: credits.checkout.bind(credits),
  }
}

/** The user's rights over their data: export everything, delete the account. */
export function useAccount() {
  const { account } = useSuportra()
  return { exportData: account.export, deleteAccount: account.delete }
}

/** Your sessions, live, and `start()`. */
export function useSessions() {
  const { sessions } = useSuportra()
  return { sessions: useStore(sessions.$list), start: sessions.start.bind(sessions) }
}

export interface UseSession {
  session: Session | undefined
  messages: ChatMessage[]
  typing: Typing | null
  hasOlder: boolean
  handle: SessionHandle
  send: SessionHandle['send']
  retry: SessionHandle['retry']
  discard: SessionHandle['discard']
  notifyTyping: SessionHandle['typing']
  markRead: SessionHandle['markRead']
  loadOlder: SessionHandle['loadOlder']
  close: SessionHandle['close']
  cancel: SessionHandle['cancel']
  rate: SessionHandle['rate']
  upgradeToVideo: SessionHandle['upgradeToVideo']
}

/** One session, live: its state, its transcript (with unsent messages), typing, and what you can do with it. */
export function useSession(id: string): UseSession {
  const client = useSuportra()
  const handle = useMemo(() => client.sessions.get(id), [client, id])
  const actions = useMemo(
    () => ({
      send: handle.send.bind(handle),
      retry: handle.retry.bind(handle),
      discard: handle.discard.bind(handle),
      notifyTyping: handle.typing.bind(handle),
      markRead: handle.markRead.bind(handle),
      loadOlder: handle.loadOlder.bind(handle),
      close: handle.close.bind(handle),
      cancel: handle.cancel.bind(handle),
      rate: handle.rate.bind(handle),
      upgradeToVideo: handle.upgradeToVideo.bind(handle),
    }),
    [handle],
  )
  return {
    session: useStore(handle.$session),
    messages: useStore(handle.$messages),
    typing: useStore(handle.$typing),
    hasOlder: useStore(handle.$hasOlder),
    handle,
    ...actions,
  }
}

/** For builders: the live queue of waiting sessions, and `claim()`. */
export function useBuilderQueue() {
  const { builder } = useSuportra()
  return { queue: useStore(builder.$queue), claim: builder.claim.bind(builder) }
}
