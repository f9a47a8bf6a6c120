import type { Session } from '@suportra/client'
import { useSuportra } from '@suportra/react'
import { useCallback, useEffect, useRef, useState } from 'react'

const TITLE = 'Suportra — Builder console'

/**
 * Tells the builder that someone entered the queue: the page title carries the number waiting
 * ("(2) Suportra — Builder console", seen on a background tab), and, once the builder has turned
 * it on with a click, a short chime plays. Browsers refuse sound before a gesture: nothing that
 * makes sound exists until that click creates it.
 */
export function useQueueAnnouncer(waiting: number) {
  const client = useSuportra()
  const audio = useRef<AudioContext | null>(null)
  const [sound, setSound] = useState(false)
  const [latest, setLatest] = useState<Session | null>(null)

  useEffect(() => {
    document.title = waiting > 0 ? `(${waiting}) ${TITLE}` : TITLE
  }, [waiting])
  useEffect(
    () => () => {
      document.title = TITLE
    },
    [],
  )

  useEffect(
    () =>
      client.on('queue', ({ action, session }) => {
        if (action !== 'added') return
        setLatest(session)
        if (audio.current) chime(audio.current)
      }),
    [client],
  )

  /** Called from the click on the sound button: the gesture that allows audio. */
  const toggleSound = useCallback(() => {
    if (audio.current) {
      void audio.current.close()
      audio.current = null
      setSound(false)
      return
    }
    try {
      audio.current = new AudioContext()
      chime(audio.current)
      setSound(true)
    } catch {
      // No audio here (a browser without Web Audio): the title and the list still announce.
    }
  }, [])
  useEffect(() => () => void audio.current?.close(), [])

  return { sound, toggleSound, latest }
}

/** Two short soft tones (no audio file to load). */
function chime(context: AudioContext) {
  void context.resume()
  const start = context.currentTime
  for (const [offset, frequency] of [
    [0, 660],
    [0.14, 880],
  ] as const) {
    const tone = context.createOscillator()
    const gain = context.createGain()
    tone.frequency.value = frequency
    gain.gain.setValueAtTime(0.0001, start + offset)
    gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25)
    tone.connect(gain).connect(context.destination)
    tone.start(start + offset)
    tone.stop(start + offset + 0.3)
  }
}
