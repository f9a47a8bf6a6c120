import { loadOnce } from '../load-once.js'

type Guard = typeof import('./secrets.js')

/**
 * The secret detector and the dialog that asks what to do about a secret: their own chunk, loaded the
 * first time something is about to be sent. A failed load (offline, a deploy that removed the chunk)
 * is not kept: the next send tries again.
 */
export const loadSecrets: () => Promise<Guard> = loadOnce(() => import('./secrets.js'))

/** The guard and the strings of its dialog (the catalogue's later part), for a widget. */
export const loadGuard = (i18n: { more(): Promise<void> }): Promise<Guard> =>
  Promise.all([loadSecrets(), i18n.more()]).then(([guard]) => guard)
