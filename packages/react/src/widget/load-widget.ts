import { loadOnce } from '@suportra/widget/load-once'

/**
 * Loads the widget's code (its own chunk) once; after a failed load the next call tries again. Marked
 * pure so that an app using only the hooks keeps neither this nor the widget's chunk.
 */
export const loadWidget: () => Promise<typeof import('@suportra/widget')> = /* @__PURE__ */ loadOnce(
  () => import('@suportra/widget'),
)
