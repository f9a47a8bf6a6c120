import type { ChatMessage } from '@suportra/client'
import { useEffect, useReducer, useRef } from 'preact/hooks'
import type { VirtualList } from './virtual-list.js'

/** Above this many messages held, only the rows near the visible part are rendered. */
const LONG = 120

/**
 * Which of the transcript's rows to render (`from`, `to`): all of them while it is short; once it
 * holds more than `LONG` messages, a window around the visible part (`virtual-list.ts`, its own chunk,
 * loaded then: opening the widget downloads none of it), which follows the log's scrolling itself and
 * sets the list's padding for the rows left out. The third item is the list's (`<ol>`) ref: called
 * after every render, once the DOM is updated.
 */
export function useVirtual(
  messages: ChatMessage[],
  head: unknown,
): [from: number, to: number, rendered: (ol: HTMLElement | null) => void] {
  const list = useRef<VirtualList>()
  const redo = useReducer((n: number) => n + 1, 0)[1] as () => void
  useEffect(() => {
    if (messages.length > LONG && !list.current)
      import('./virtual-list.js').then(
        (m) => {
          list.current ??= m.createVirtualList(redo)
          redo()
        },
        () => {},
      )
  })
  const [from, to] = list.current?.range(messages) ?? [0, messages.length]
  return [from, to, (ol) => list.current?.rendered(ol, messages, head)]
}
