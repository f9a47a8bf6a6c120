import { useEffect, useRef } from 'preact/hooks'

/**
 * `setTimeout` tied to a component: when it unmounts (the panel closes, `destroy()`), what is still
 * due is cancelled and run at once, so nothing fires later on a page that removed the widget.
 */
export function useLater(): (fn: () => void, ms: number) => void {
  const due = useRef(new Map<ReturnType<typeof setTimeout>, () => void>())
  useEffect(
    () => () => {
      for (const [timer, fn] of due.current) {
        clearTimeout(timer)
        fn()
      }
      due.current.clear()
    },
    [],
  )
  return (fn, ms) => {
    const timer = setTimeout(() => {
      due.current.delete(timer)
      fn()
    }, ms)
    due.current.set(timer, fn)
  }
}

/** Saves `blob` as `name` through a temporary link, revoked 10 s later (or when `later`'s owner unmounts). */
export function save(blob: Blob, name: string, later: ReturnType<typeof useLater>): void {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  a.click()
  later(() => URL.revokeObjectURL(a.href), 10_000)
}
