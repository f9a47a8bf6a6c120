/** Loads the widget's code (its own chunk) once; after a failed load the next call tries again. */
let loading: Promise<typeof import('@suportra/widget')> | undefined

export function loadWidget(): Promise<typeof import('@suportra/widget')> {
  loading ??= import('@suportra/widget').catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}
