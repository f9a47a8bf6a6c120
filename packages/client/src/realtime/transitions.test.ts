import { describe, expect, test } from 'vitest'
import { type Event, type Ignored, type State, TRANSITIONS } from './transitions.js'

const STATES = ['idle', 'connecting', 'open', 'backoff', 'offline'] as const satisfies readonly State[]
const EVENTS = [
  'retain',
  'start',
  'wake',
  'retry',
  'ready',
  'refused',
  'refreshed',
  'failed',
  'offline',
  'unreachable',
  'stop',
] as const satisfies readonly Event[]
// Compile-time: the lists above name every state and every event.
const everyState: Exclude<State, (typeof STATES)[number]> extends never ? true : never = true
const everyEvent: Exclude<Event, (typeof EVENTS)[number]> extends never ? true : never = true

/** The `Ignored` type, as values (the type checks this copy: a pair missing here or extra does not compile). */
/** The state after `event` in `state`, or undefined where the state ignores it. */
const next = (state: State, event: Event) => (TRANSITIONS[state] as { [E in Event]?: State })[event]

const IGNORED: { [S in State]: readonly Ignored[S][] } = {
  idle: ['wake', 'retry', 'ready', 'refused', 'refreshed', 'failed', 'offline'],
  connecting: ['retain', 'start', 'wake', 'retry'],
  open: ['retain', 'start', 'retry', 'ready', 'refreshed', 'unreachable'],
  backoff: ['retain', 'ready', 'refused', 'refreshed', 'failed'],
  offline: ['retain', 'start', 'retry', 'ready', 'refused', 'refreshed', 'failed', 'offline'],
}

/** The states the table goes through for `events`, from `from` (an ignored event keeps the state). */
function walk(from: State, events: Event[]): State[] {
  const seen: State[] = []
  let state = from
  for (const event of events) {
    state = next(state, event) ?? state
    seen.push(state)
  }
  return seen
}

describe('the connection’s transition table', () => {
  test('answers every event in every state exactly once: with a state, or as declared ignored', () => {
    expect(everyState && everyEvent).toBe(true)
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATES].sort())
    for (const state of STATES) {
      for (const event of EVENTS) {
        const to = next(state, event)
        const ignored = (IGNORED[state] as readonly Event[]).includes(event)
        expect(ignored ? to === undefined : STATES.includes(to as State), `${state} + ${event} → ${to}`).toBe(
          true,
        )
      }
    }
  })

  test('stop ends every state; only an attempt can open; nothing but an attempt leaves offline', () => {
    for (const state of STATES) expect(next(state, 'stop')).toBe('idle')
    const intoOpen = STATES.flatMap((s) =>
      EVENTS.filter((e) => next(s, e) === 'open').map((e) => `${s}+${e}`),
    )
    expect(intoOpen).toEqual(['connecting+ready', 'open+wake'])
    expect(EVENTS.filter((e) => next('offline', e) && next('offline', e) !== 'offline')).toEqual([
      'wake',
      'stop',
    ])
  })

  test.each<[string, State, Event[], State[]]>([
    [
      'connect, drop, wait, reconnect',
      'idle',
      ['retain', 'ready', 'failed', 'retry', 'ready'],
      ['connecting', 'open', 'backoff', 'connecting', 'open'],
    ],
    [
      'an attempt that fails backs off again, and the next listener changes nothing meanwhile',
      'idle',
      ['retain', 'failed', 'retain', 'retry', 'failed'],
      ['connecting', 'backoff', 'backoff', 'connecting', 'backoff'],
    ],
    [
      'a refused token is refreshed and retried at once (reauth), a second refusal backs off',
      'open',
      ['refused', 'refreshed', 'ready', 'refused', 'refreshed', 'failed'],
      ['connecting', 'connecting', 'open', 'connecting', 'connecting', 'backoff'],
    ],
    [
      'a refresh that comes after a sign-out changes nothing',
      'open',
      ['refused', 'stop', 'refreshed', 'ready'],
      ['connecting', 'idle', 'idle', 'idle'],
    ],
    [
      'offline, then online',
      'open',
      ['offline', 'retry', 'failed', 'wake', 'ready'],
      ['offline', 'offline', 'offline', 'connecting', 'open'],
    ],
    [
      'no network to begin with',
      'idle',
      ['offline', 'retain', 'unreachable', 'wake', 'ready'],
      ['idle', 'connecting', 'offline', 'connecting', 'open'],
    ],
    [
      'signed in during a backoff: try at once; visible again while open: stay open',
      'backoff',
      ['start', 'ready', 'wake', 'start', 'retain'],
      ['connecting', 'open', 'open', 'open', 'open'],
    ],
  ])('%s', (_, from, events, states) => {
    expect(walk(from, events)).toEqual(states)
  })
})
