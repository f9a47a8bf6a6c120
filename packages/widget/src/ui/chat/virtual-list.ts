import type { ChatMessage } from '@suportra/client'

/** The list's `gap` (widget.css): each row's slot is its height and the gap after it. */
const GAP = 8
/** Rendered beyond each edge of the visible part, in pixels. */
const OVER = 600
/** The key of the line above the first message ("Loading…", the start of the history). */
const HEAD = ' head'

/** Measured slots by message key (kept for the next time a chat opens), their sum and average. */
const slots = new Map<string, number>()
let sum = 0
let guess = 64

/**
 * A long transcript as a virtual list (loaded with its own chunk once the chat holds many messages):
 * only the rows near the visible part are in the DOM, the others stand in as padding of the list, so
 * 10,000 held messages cost what 30 do.
 *
 * Offsets count from the bottom: the log is reversed (widget.css), its scroll position is the distance
 * from the newest message, so older pages going in at the top and rows above the eye changing height
 * move nothing on screen. Rows are measured as they render (a ResizeObserver), the others estimated
 * (the average measured slot); when rows below the visible part turn out other than assumed, which
 * would push what is on screen up, the list scrolls by the difference: the message under the user's
 * eye stays put. Someone at the very top stays there. Screen readers get each row's place in the whole
 * (`aria-posinset` of `aria-setsize`). Without layout (a test DOM) every row renders.
 */
export function createVirtualList(redo: () => void, fresh?: boolean) {
  let ol: HTMLElement
  let log: HTMLElement
  /** The distance from the bottom to the lower edge of the visible part, and its height. */
  let d = 0
  let height = 800
  /** No layout (a test DOM): every row renders. */
  let all = false
  let atTop = false
  let from = 0
  let to = 0
  /** top[i]: from the list's bottom to the top of message i's slot. */
  let top: number[] = [0]
  let first: ChatMessage | undefined
  let below: [ChatMessage | 0 | undefined, number] = [0, 0]
  const keys = new Map<Element, string>()

  const measure = (key: string, h: number) => {
    const old = slots.get(key)
    sum += h + GAP - (old ?? 0)
    slots.set(key, h + GAP)
    return h + GAP - (old ?? guess)
  }

  const watch = new ResizeObserver((entries) => {
    let changed = false
    let moved = 0
    const bottom = log.getBoundingClientRect().bottom
    for (const { target, borderBoxSize } of entries) {
      const key = keys.get(target)
      const h = borderBoxSize[0]?.blockSize
      if (!key) {
        changed ||= height !== log.clientHeight
        height = log.clientHeight
      } else if (h) {
        const delta = measure(key, h)
        changed ||= delta !== 0
        if (target.getBoundingClientRect().top >= bottom) moved += delta
      }
    }
    if (moved && log.scrollTop) log.scrollTop -= moved
    if (changed) redo()
  })

  /** Scrolled: render again once the visible part (and half the margin) is no longer all in the DOM. */
  const scrolled = () => {
    d = -log.scrollTop
    atTop = d >= log.scrollHeight - log.clientHeight - 1
    if (
      !all &&
      ((from && (top[from] as number) < d + height + OVER / 2) ||
        (to < top.length - 1 && (top[to] as number) > d - OVER / 2))
    )
      redo()
  }

  return {
    /**
     * The rows to render for these messages. Fresh (the list turns virtual), the rows from `tail`
     * are on screen: they render once more, to be measured, and nothing moves.
     */
    range(messages: ChatMessage[], tail: number): [from: number, to: number] {
      const n = messages.length
      guess = slots.size ? sum / slots.size : guess
      top = new Array<number>(n + 1)
      top[n] = 0
      for (let i = n; i--; )
        top[i] = (top[i + 1] as number) + (slots.get((messages[i] as ChatMessage).key) ?? guess)
      from = fresh ? tail : 0
      to = n
      if (!all && !fresh) {
        const hi = d + height + OVER
        for (from = n; from && (top[from] as number) < hi; ) from--
        while (to > from && (top[to - 1] as number) <= d - OVER) to--
      }
      return [from, to]
    },

    /**
     * After each render: the room of the rows left out (the line above the first message takes its room
     * while away too: reaching the top moves nothing), keep the place, say each row's place in the
     * whole, measure the new rows.
     */
    rendered(list: HTMLElement | null, messages: ChatMessage[], head: unknown): void {
      if (!list) return
      if (!ol) {
        // The first time: the log's size and scroll position, followed from now on.
        ol = list
        log = list.parentElement as HTMLElement
        d = -log.scrollTop
        height = log.clientHeight
        all = !height
        watch.observe(log)
        log.addEventListener('scroll', scrolled)
      }
      const line = head && from ? (slots.get(HEAD) ?? 0) : 0
      ol.style.paddingTop = `${(top[0] as number) - (top[from] as number) + line}px`
      ol.style.paddingBottom = `${top[to]}px`
      if (first !== messages[0]) atTop = false
      else if (atTop) log.scrollTop = -log.scrollHeight
      // The same rows below the window, estimated otherwise now: what is on screen would move by the difference.
      const room = top[to] as number
      if (below[0] === messages[to] && log.scrollTop) log.scrollTop -= room - below[1]
      below = [messages[to], room]
      first = messages[0]
      const start = from - (head && !from ? 1 : 0)
      const size = String(messages.length + (head ? 1 : 0))
      for (const row of keys.keys())
        if (!row.isConnected) {
          keys.delete(row)
          watch.unobserve(row)
        }
      ;[...ol.children].forEach((row, i) => {
        row.setAttribute('aria-setsize', size)
        row.setAttribute('aria-posinset', String(start + i + (head ? 2 : 1)))
        const key = start + i < 0 ? HEAD : messages[start + i]?.key
        if (fresh && key) measure(key, row.getBoundingClientRect().height)
        else if (key && keys.get(row) !== key) {
          keys.set(row, key)
          watch.observe(row)
        }
      })
      if (fresh) {
        fresh = false
        redo()
      }
    },
  }
}

export type VirtualList = ReturnType<typeof createVirtualList>
