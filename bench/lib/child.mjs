// Starts a server script (serve.mjs, ceiling.mjs) in its own process and talks to it by messages.
import { fork } from 'node:child_process'

/**
 * @param {string} script path or URL of the child module; it sends `{ ready, url }` once listening
 * @param {{ execArgv?: string[] }} [options]
 */
export async function startChild(script, { execArgv = [] } = {}) {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  const waiting = new Map()
  let nextId = 0
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)))
    child.on('message', (message) => {
      if (message.ready) return resolve(message.url)
      const pending = waiting.get(message.id)
      if (!pending) return
      waiting.delete(message.id)
      if (message.error) pending.reject(new Error(message.error))
      else pending.resolve(message.result)
    })
  })
  return {
    url,
    pid: child.pid,
    /** Runs one of the child's commands. */
    request(cmd, args) {
      const id = ++nextId
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        child.send({ id, cmd, args })
      })
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGINT')
      await exited
    },
  }
}
