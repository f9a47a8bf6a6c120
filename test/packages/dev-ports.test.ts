// `pnpm dev` with a busy port: one line naming the port and the variable that changes it, exit 1,
// no stack. Every port comes from the environment (0: any free port).
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { root } from '../../scripts/workspace-packages.mjs'

test('a busy example port ends pnpm dev with one line that names it', async () => {
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const { port } = busy.address() as { port: number }
  try {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(root, 'scripts/dev.mjs')],
        {
          cwd: root,
          timeout: 30_000,
          env: {
            ...process.env,
            PORT: '0',
            SCRIPT_TAG_PORT: '0',
            REACT_APP_PORT: String(port),
            BUILDER_CONSOLE_PORT: '0',
          },
        },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      )
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe(
      `React app: port ${port} is in use; set REACT_APP_PORT to another port (e.g. REACT_APP_PORT=0 pnpm dev).`,
    )
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at |EADDRINUSE/)
  } finally {
    busy.close()
  }
})
