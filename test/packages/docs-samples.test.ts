// Every code sample in the READMEs and guides, checked as a reader would use it: browser snippets
// (`js`, and the inline scripts of `html`) and complete modules (`ts`/`tsx` samples with an import)
// are type-checked for names they use but never define; the client README's and the Node guide's
// first samples run against the real server and must exit; a shell line's `npx <name>` must name a
// package (npx looks an unknown bin name up in the registry, where anyone could have registered it).
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { createClient, memoryStorage } from '@suportra/client'
import { DEMO, startTestServer, type TestServer } from '@suportra/server/testing'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { publicPackages, root } from '../../scripts/workspace-packages.mjs'

interface Sample {
  file: string
  line: number
  lang: string
  code: string
}

const markdown = [
  'README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' }).map((f) => join('docs', f)),
  ...['packages', 'examples'].flatMap((dir) =>
    readdirSync(join(root, dir)).map((name) => join(dir, name, 'README.md')),
  ),
].filter((file) => file.endsWith('.md') && exists(join(root, file)))

function exists(path: string) {
  try {
    readFileSync(path)
    return true
  } catch {
    return false
  }
}

/** Fenced blocks (indented ones in lists too), with the line they start on. */
function samplesOf(file: string): Sample[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const found: Sample[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w+)/.exec(lines[i] ?? '')
    if (!open) continue
    const indent = open[1]?.length ?? 0
    const start = i
    const body: string[] = []
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''))
      body.push((lines[i] ?? '').slice(indent))
    found.push({ file, line: start + 1, lang: open[2] ?? '', code: body.join('\n') })
  }
  return found
}

const samples = markdown.flatMap(samplesOf)
const where = (s: Sample) => `${s.file}:${s.line}`

/** Names a snippet uses but never defines (TS2304, TS18004 for `{ token }`), besides the `Suportra` global the loader makes. */
function undefinedNames(files: Record<string, string>, js: boolean): string[] {
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: js,
    noEmit: true,
    strict: false,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    jsx: ts.JsxEmit.ReactJSX,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
    typeRoots: [join(root, 'node_modules/@types')],
  }
  const base = join(root, 'test/packages')
  const virtual = Object.fromEntries(Object.entries(files).map(([name, text]) => [join(base, name), text]))
  virtual[join(base, 'globals.d.ts')] = 'declare var Suportra: any\n'
  const host = ts.createCompilerHost(options)
  const read = host.readFile
  host.readFile = (path) => virtual[path] ?? read(path)
  host.fileExists = (path) => path in virtual || ts.sys.fileExists(path)
  const getSource = host.getSourceFile
  host.getSourceFile = (path, language) =>
    path in virtual ? ts.createSourceFile(path, virtual[path] ?? '', language) : getSource(path, language)
  const program = ts.createProgram(Object.keys(virtual), options, host)
  return Object.keys(files).flatMap((name) =>
    program
      .getSemanticDiagnostics(program.getSourceFile(join(base, name)))
      .filter((d) => d.code === 2304 || d.code === 18004)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
  )
}

test('the docs hold samples to check', () => {
  expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/guides/script-tag.md']))
  expect(samples.length).toBeGreaterThan(30)
})

test('browser snippets (js, inline scripts of html) use no undefined name', () => {
  const problems: string[] = []
  for (const sample of samples) {
    const scripts =
      sample.lang === 'js'
        ? [sample.code]
        : sample.lang === 'html'
          ? [...sample.code.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
              (m) => m[1] ?? '',
            )
          : []
    for (const [i, code] of scripts.entries()) {
      for (const message of undefinedNames({ [`snippet${i}.js`]: code }, true))
        problems.push(`${where(sample)}: ${message}`)
    }
  }
  expect(problems).toEqual([])
})

test('complete TypeScript samples (with an import) use no undefined name', () => {
  const problems: string[] = []
  for (const sample of samples) {
    if (!/^(ts|tsx)$/.test(sample.lang) || !/^import /m.test(sample.code)) continue
    // Each sample is a module of its own: a name defined in another sample does not count.
    const module = `${sample.code}\nexport {}\n`
    for (const message of undefinedNames({ [`sample.${sample.lang}`]: module }, false))
      problems.push(`${where(sample)}: ${message}`)
  }
  expect(problems).toEqual([])
})

test('shell samples run packages by their names: npx <package>, never a bin name', () => {
  const names = new Set(publicPackages().map((p: { name: string }) => p.name))
  const problems: string[] = []
  for (const sample of samples.filter((s) => /^(sh|bash|shell)$/.test(s.lang))) {
    for (const match of sample.code.matchAll(/\bnpx\s+(?:--?\S+\s+)*([^\s-]\S*)/g)) {
      const name = match[1] ?? ''
      if (name.startsWith('@suportra/') ? !names.has(name) : /suportra/.test(name))
        problems.push(`${where(sample)}: npx ${name}`)
    }
  }
  expect(problems).toEqual([])
})

describe('samples that run', () => {
  let server: TestServer
  const dir = mkdtempSync(join(root, 'test/packages/.samples-'))
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const runnable = [
    { file: 'packages/client/README.md', index: 0 },
    { file: 'docs/guides/node.md', index: 0 },
  ]
  for (const { file, index } of runnable) {
    test(`${file}'s first sample runs against the server, prints every message readably and exits`, async () => {
      const sample = samples.filter((s) => s.file === file && /^tsx?$/.test(s.lang))[index] as Sample
      const code = ts.transpileModule(sample.code.replaceAll('http://127.0.0.1:8787', server.url), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText
      const path = join(dir, `${relative(root, join(root, file)).replaceAll('/', '-')}.mjs`)
      writeFileSync(path, code)
      // The node guide attaches migrate.log from the working directory.
      writeFileSync(join(dir, 'migrate.log'), 'Error: relation "users" does not exist\n')
      // A builder answers and closes the session, as the guide's script waits for.
      const builder = createClient({
        baseUrl: server.url,
        appId: DEMO.appId,
        storage: memoryStorage(),
        WebSocket,
      })
      await builder.auth.signIn({ email: DEMO.builder.email, password: DEMO.builder.password })
      const answered = new Set<string>()
      const offQueue = builder.builder.$queue.subscribe((queue) => {
        for (const waiting of queue) {
          if (answered.has(waiting.id)) continue
          answered.add(waiting.id)
          void (async () => {
            await builder.builder.claim(waiting.id)
            const chat = builder.sessions.get(waiting.id)
            await chat.send('Run the migrations before the tests.')
            await chat.send({ code: { language: 'sh', content: 'pnpm migrate' } })
            await new Promise((resolve) => setTimeout(resolve, 500))
            await chat.close()
          })()
        }
      })
      const { stdout } = await promisify(execFile)(process.execPath, [path], {
        cwd: dir,
        timeout: 20_000,
        env: { ...process.env, SUPORTRA_URL: server.url },
      })
      offQueue()
      builder.destroy()
      expect(stdout).not.toMatch(/: (\n|$)|undefined/)
      if (file.endsWith('node.md')) expect(stdout).toContain('pnpm migrate')
      else expect(stdout).toContain('[json] { "vite": "^8.0.0" }')
    })
  }
})
