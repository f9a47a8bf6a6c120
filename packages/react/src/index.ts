/** @suportra/react: a provider and hooks over `@suportra/client`, and `<SuportraWidget>`. */
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
export { SuportraWidget, type SuportraWidgetProps } from './suportra-widget.js'
