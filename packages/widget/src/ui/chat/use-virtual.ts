import type { ChatMessage } from '@suportra/client'
import { useRef, useState } from 'preact/hooks'
import type { createVirtualList, VirtualList } from './virtual-list.js'

/** Above this many messages held, only the rows near the visible part are rendered. */
const LONG = 120
/** The virtual list's code, once loaded: a chat opened again with a long transcript starts with it. */
let create: typeof createVirtualList | undefined

/**
 * Which of the transcript's rows to render (`from`, `to`): all of them while it is short; once it
 * holds more than `LONG` messages, a window around the visible part (`virtual-list.ts`, its own chunk,
 * loaded then: opening the widget downloads none of it), which follows the log's scrolling itself and
 * sets the list's padding for the rows left out. Until it has loaded, the newest `LONG`. The third
 * item is the list's (`<ol>`) ref: called after every render, once the DOM is updated.
 */
export function useVirtual(
  messages: ChatMessage[],
  head: unknown,
): [from: number, to: number, rendered: (ol: HTMLElement | null) => void] {
  const n = messages.length
  const set = useState({})[1]
  const redo = () => set({})
  const list = useRef<VirtualList>()
  // Long: the virtual list, at once if its code is here; else that loads (once: the import is shared),
  // the newest `LONG` render meanwhile, and it starts by measuring them.
  if (n > LONG && !list.current) {
    if (create) list.current = create(redo)
    else
      import('./virtual-list.js').then(
        (m) => {
          create = m.createVirtualList
          list.current ??= create(redo, true)
          redo()
        },
        () => {},
      )
  }
  const tail = n > LONG ? n - LONG : 0
  const [from, to] = list.current?.range(messages, tail) ?? [tail, n]
  return [from, to, (ol) => list.current?.rendered(ol, messages, head)]
}
