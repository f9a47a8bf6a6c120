'use client'
/** @suportra/react: a provider and hooks over `@suportra/client` (`<SuportraWidget>` is in `@suportra/react/widget`). */
export {
  type UseSession,
  useAccount,
  useBuilderQueue,
  useConnection,
  useCredits,
  useSession,
  useSessions,
  useStore,
  useUser,
} from './hooks.js'
export { SuportraProvider, useSuportra } from './provider.js'
