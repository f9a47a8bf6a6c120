// docs/benchmarks.md, written by `pnpm bench` from the figures of the run.
import { readFileSync } from 'node:fs'
import { describe, fmt } from './lib/stats.mjs'
import { markdownTable } from './report.mjs'

/**
 * Where the send path's time goes after issue 20, from a CPU profile of the server during the
 * throughput phase (taken by hand: `BENCH_PROFILE=/tmp/prof node bench/server.mjs --runs 1 100`,
 * then summed by package; the profiler's own sampling, ~15%, left out). Update it with the code.
 */
const SEND_PATH_PROFILE =
  "A CPU profile of the server during the throughput phase (`BENCH_PROFILE=/tmp/prof node bench/server.mjs --runs 1 100`, 100 sessions, after issue 20's changes; the profiler's own share left out) now has ~28% in socket writes (the HTTP answer and two WebSocket frames per message, `writev`), ~17% in SQLite itself (better-sqlite3 `run`/`all`, the WAL write at COMMIT included), ~15% in Node's HTTP parser and response, ~10% in what is left of Kysely (its executor, transaction and connection lock around statements compiled once), ~6% in garbage collection, under 2% in zod and under 1% checking tokens (remembered once verified). Before: ~25% better-sqlite3, ~16% Kysely building and compiling the same queries on every call, ~20% HMAC-verifying the same access token on every request, ~15% socket writes, and a web `Request` and `Response` built for every send by hono's body limit and CORS middleware. What remains is mostly the socket writes and SQLite's commit, which a group commit (several sends in one transaction) would be next to amortise."

const version = (name) => {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version
  } catch {
    return '?'
  }
}

const PEERS = [
  '@intercom/messenger-js-sdk',
  '@livechat/widget-core',
  'crisp-sdk-web',
  '@livechat/customer-sdk',
  'stream-chat',
  '@papercups-io/chat-widget',
  'ai',
  '@ai-sdk/react',
  'react',
  'react-dom',
  'esbuild',
  'playwright-core',
]

/** `playwright_chromiumdev_profile-x --no-sandbox … 43%` (a rewritten process title) → `chromium 43%`. */
function shortLabel(label) {
  const words = label.split(' ')
  const short = words.length > 3 ? `${words[0]} ${words.at(-1)}` : label
  return short.replace(/^playwright_chromiumdev_profile-\S*/, 'chromium')
}

function findings({ results }) {
  const out = []
  const transcript = results.transcript?.results ?? []
  const big = transcript.at(-1)
  const small = transcript[0]
  const host = results.hostPage
  const payload = results.payload?.rows ?? []
  const row = (prefix) => payload.find((r) => r.name.startsWith(prefix))
  const server = results.server?.results ?? []
  const n = (value) => value.toLocaleString('en-US')

  if (big) {
    out.push(
      `**The message list renders a window of what it holds.** Past 120 messages the transcript is a virtual list (packages/widget/src/ui/chat/virtual-list.ts, its own chunk): only the rows near the visible part are in the DOM (${n(big.fullScroll.nodes)} elements in the list with all ${n(big.messages)} held), the rest stand in as padding, with offsets counted from the bottom of the reversed log so older pages going in at the top move nothing on screen. With all ${n(big.messages)} held, opening the panel takes ${describe(big.reopenPaint)} (goal ≤ 250 ms), a sent message shows in ${describe(big.fullSend)} against ${describe(big.firstSend)} with 50 held (goal ≤ 50 ms and within 1.5×), the scroll pass has ${describe(big.fullScroll.janky)} of frames over 25 ms (worst ${fmt(big.fullScroll.max.median)} ms; goal 0% / ≤ 50 ms), and paging the whole history in with the panel open took ${describe(big.history)} for ${n(big.historyPages)} pages (goal ≤ 3 s; one request per page, each answered before the next is asked, so most of it is the server's and the network's). Rows are memoised (\`@preact/signals\` skips a row whose props did not change: one new message renders one row's Markdown; tested), so paging and live messages cost the window, not the length.`,
    )
  }
  if (host) {
    out.push(
      `**Loading on intent keeps the host page's promise; the idle preload (now opt-in) is what it costs.** The loader fetches nothing but itself until the user reaches for the launcher (hover, focus, press) or the page calls \`Suportra('open')\`: before anyone touches it, the page downloads ${describe(host.cold.brotliBytes)} (brotli) and our scripts spend ${describe(host.cold.ourScriptInLongFrames)} inside long animation frames at 4× CPU, against ${describe(host.tag.brotliBytes)} (brotli; ${describe(host.tag.bytes)} as the reference server sends it), ${describe(host.tag.ourScriptInLongFrames)} in long frames (longest ${describe(host.tag.ourLongestFrame)}) and ${describe(host.tag.tbtAfterLoad)} of blocking time after the load event (the plain page: ${describe(host.plain.tbtAfterLoad)}) with \`data-load="idle"\`, which fetches \`widget/app.js\` when the browser is idle and mounts the widget in the same task. DESIGN.md §5 promises that "the widget loads nothing until used; a host page's load shows no long task from it", so on intent is the default. Its measured price is the first open: ${describe(host.cold.clickToInteractive)} instead of ${describe(host.tag.clickToInteractive)} from press to a usable panel at 4× CPU. If the idle preload is to become cheaper, fetch without evaluating (\`<link rel="modulepreload">\`) and yield between evaluating \`app.js\`, creating the client and rendering the launcher so no piece exceeds 50 ms.`,
    )
  }
  out.push(
    `**Opening the panel is a waterfall with repeated calls** (the API calls listed in the transcript rows, from the first run). Signed in with an ongoing session, opening fires \`/v1/credits/packs\`, \`/v1/sessions\`, \`/v1/credits\` and \`/v1/tools\` together; when the realtime socket then reports \`ready\`, \`refreshLive()\` in \`packages/client/src/client.ts\` fetches \`/v1/sessions\` and \`/v1/credits\` again although they were loaded a moment before (in the runs where the socket opens after those first answers — see which rows list them twice); only once the list is in does \`Chat\` mount and fetch \`/v1/sessions/:id\` and the messages. Each first call to a URL also pays a CORS preflight (the API is cross-origin and sends \`Authorization\`). Skipping the refresh for stores loaded after the socket's last connect, and starting the messages fetch from a remembered ongoing session id, would save one or two round trips of the ${describe(small?.firstPaint ?? { median: Number.NaN, unit: 'ms' })} first open.`,
  )
  out.push(
    "**A forced restyle of the whole panel on every open** (found while profiling, not a `pnpm bench` figure): a Chromium trace of opening the panel with 2,000 messages held showed about two thirds of the time in style and layout (~21,500 layout objects, text shaping included), and `Panel`'s mount effect (`packages/widget/src/ui/panel.tsx`, `fit()`) setting `--vv-height` and `--vv-top` on the panel root with a `visualViewport` read in between: each custom property set on the root invalidates the style of everything inside it, and the read forces it to be recomputed at once — ~200–275 ms with 2,000 messages, unthrottled. Setting both in one write, on an element that does not contain the list, or only when the visual viewport differs from the layout viewport (mobile keyboards), removes it.",
  )
  if (server.length) {
    const ratios = server
      .map(
        (r) =>
          `${fmt(r.fraction.median * 100)}% at ${n(r.sessions)} sessions, p50 ${fmt(r.ours.p50.median / r.ceiling.p50.median)}× the ceiling's`,
      )
      .join('; ')
    const pg = results.serverPostgres?.results ?? []
    const pgRatios = pg.map((r) => `${fmt(r.fraction.median * 100)}% at ${n(r.sessions)} sessions`).join(', ')
    out.push(
      `**The server's fan-out, against the plain \`ws\` ceiling: ${ratios}** (goals: at least 50%, p50 at most 2×)${pgRatios ? `; one instance on PostgreSQL: ${pgRatios} (every send commits to PostgreSQL's WAL through a 10-connection pool)` : ''}. A send is an authenticated HTTP request (token check, zod validation), one statement reading the session with the id's earlier message, a transaction (bump \`last_seq\`, \`INSERT … ON CONFLICT DO NOTHING RETURNING\`) and a fan-out; the ceiling does only the fan-out. ${SEND_PATH_PROFILE}`,
    )
  }
  const drain = results.drain
  if (drain?.drain) {
    out.push(
      `**Draining after an outage.** ${n(drain.messages)} messages written while the server was down reach it ${describe(drain.drain)} after it is back through the client's outbox, which still sends one message at a time per session (the batch endpoint is not yet used by the client: it has to be paid for in the client's 12 kB); the same number through \`POST /v1/sessions/{id}/messages/batch\`, ${drain.batchSize} per request, take ${describe(drain.batch)}, each batch sent a second time as a retry, with nothing lost, doubled or out of order.`,
    )
  }
  const wire = results.wire
  if (wire?.firstVisitBytes) {
    out.push(
      `**The widget goes out compressed and cached.** Opening the widget self-hosted costs ${fmt(wire.firstVisitBytes / 1000)} kB on the wire (${wire.files.length} files, ${wire.encodings.join(', ')}, headers included; the bodies are ${fmt(wire.firstVisitBodyBytes / 1000)} kB, the brotli 11 figure, against ${fmt(wire.uncompressedBytes / 1000)} kB uncompressed); a revisit past \`max-age\` gets ${wire.revisitStatuses.every((s) => s === 304) ? 'a 304 for every file' : `statuses ${wire.revisitStatuses.join(', ')}`}: ${fmt(wire.revisitBytes / 1000)} kB, headers only. The files are compressed once at build time (packages/widget/scripts/precompress.mjs); docs/guides/self-hosting.md says what a CDN in front needs.`,
    )
  }
  const queries = results.queries
  if (queries?.queue) {
    out.push(
      `**Statements per request do not grow with the data.** The builder's queue page issues ${queries.queue[200]} SQL statements with 200 sessions waiting, as with 2 (${queries.queue[2]}); a new message ${queries.send} (and BEGIN/COMMIT), a retry of it ${queries.retry} (test: packages/server/test/builder-queue-queries.integration.test.ts).`,
    )
  }
  const client = row('@suportra/client')
  const app = row('loaded when the widget opens:')
  const german = row('loaded when the widget opens, German')
  const mount = row('@suportra/widget npm')
  if (client && app) {
    out.push(
      `**Sizes are at their budgets${client.brotli.median > 12 ? ', and the client is over its own' : ''}.** \`@suportra/client\` is ${describe(client.brotli)} (budget 12 kB${client.brotli.median > 12 ? ': over it by this measure; `pnpm size`, which bundles with its own esbuild settings and is what CI enforces, differs by a few tens of bytes' : ''}), what the widget loads when it opens ${describe(app.brotli)}${german ? ` (${describe(german.brotli)} in German, the largest language)` : ''} (budget 30 kB), against a floor of ${describe(row('floor')?.brotli ?? { median: Number.NaN })} for the libraries alone.${mount ? ` The npm \`mount()\` entry bundled by a vendor's esbuild weighs ${describe(mount.brotli)} with English${mount.brotli.median > 30 ? ', over the 30 kB that `pnpm size` holds the script-tag build to' : ''}: size-limit measures the script-tag files as Vite builds them, not what a vendor's bundler makes of the npm entry.` : ''} The next feature in the always-loaded path has to pay for itself: split rarely used screens and schemas out of \`app.js\` (as the locales, highlighting and secret detection already are).`,
    )
  }
  const memory = results.memory
  if (memory) {
    out.push(
      `**Memory is proportionate.** The client holds ${n(memory.client.messages)} messages in ${describe(memory.client.withAll)} of heap (${describe(memory.client.perMessage)} each, ${fmt(memory.client.withAll.median / memory.client.jsonBytes)}× their JSON); the server with ${n(memory.server.ours.connected)} connected clients uses ${describe(memory.server.ours.rss)}, ${fmt(memory.server.ours.rss.median / memory.server.ceiling.rss.median)}× the bare \`ws\` server with as many sockets, most of it the fixed cost of the server itself (${describe(memory.server.ours.idle)} idle).`,
    )
  }
  return out
}

function instancesSection(instances) {
  const head = ['## One versus two instances (PostgreSQL)', '']
  if (!instances || instances.skipped) {
    return [
      ...head,
      `Not measured in this run: ${instances?.skipped ?? 'not run'}. \`bench/instances.mjs\` (from the PostgreSQL issue) runs one and two server instances on one PostgreSQL database behind the same round-robin TCP proxy; \`pnpm bench\` runs it (100 sessions, one round) whenever PostgreSQL is available: \`SUPORTRA_TEST_PG_URL\` set, or \`initdb\` and \`pg_ctl\` found (\`PG_BIN\`, \`/usr/lib/postgresql/N/bin\`, or the PATH) so that scripts/with-postgres.mjs can start a throwaway cluster. Alone: \`node bench/instances.mjs [100 1000] [--rounds=3]\`.`,
    ]
  }
  if (instances.fanOut || instances.rows) {
    return [
      ...head,
      `The "PostgreSQL, 1 vs 2 instances" rows of the table come from \`bench/instances.mjs\` (100 sessions, ${instances.rounds === 1 ? 'one round' : `${instances.rounds ?? 3} rounds`} in \`pnpm bench\`, to keep it near ten minutes; \`node bench/instances.mjs 100 1000\` runs 100 and 1,000 sessions, three rounds, several minutes more).${instances.rounds === 1 ? ' With one round each figure is a single measurement, without a spread: in the runs made while writing this benchmark, on the same busy machine, two instances gave between about 0.6× and 1.3× the rate of one, so read the ratio as "same order", not as a scaling figure.' : ''} Its method differs from the SQLite fan-out rows above: sessions are created by password sign-up, every session sends 10 messages back to back at once (closed loop), so its latencies are measured at saturation, and every request goes through a round-robin TCP proxy on loopback — with one instance too, so the proxy is not what differs. With two instances about half the messages reach the builder's socket through the other instance (PostgreSQL LISTEN/NOTIFY). Both instances, the proxy, PostgreSQL and the load generator share the same two cores, so a second instance cannot add CPU here: the figure shows the cost of crossing instances, not the scaling a second machine would give.`,
    ]
  }
  return [
    ...head,
    'From `bench/instances.mjs`, as it printed them:',
    '',
    '```',
    instances.text ?? JSON.stringify(instances, null, 2),
    '```',
  ]
}

export function renderDoc({ environment: env, timings, failures, results, rows }) {
  const host = results.hostPage
  const server = results.server
  const transcript = results.transcript
  const lines = [
    '# Benchmarks',
    '',
    '_Written by `pnpm bench` (bench/run.mjs); do not edit by hand — change the benchmark and run it again._',
    '',
    "Run it with `pnpm bench` after the README's install line (`node scripts/setup.mjs --browser`). It builds the packages, then runs each suite in its own process, one after the other; the suites' time is given below (the build adds one to two minutes on two busy cores). Single suites: `node bench/payload.mjs`, `host-page.mjs`, `transcript.mjs`, `server.mjs` (`--postgres` for one instance on PostgreSQL), `requests.mjs`, `memory.mjs`, `drain.mjs`, `wire.mjs`, `queries.mjs` (each prints JSON); `node bench/run.mjs --only server,memory` prints the table without rewriting this file; `node bench/run.mjs --render` rewrites this file from the last full run's figures (bench/results/latest.json) after a change to its text. Size budgets are enforced separately by `pnpm size` (size-limit, part of `pnpm test`).",
    '',
    '## Where it ran',
    '',
    `- ${env.date.slice(0, 16).replace('T', ' ')} UTC, ${env.cpu}, ${env.memory}, ${env.os}`,
    `- Node ${env.node}; ${env.chromium ?? 'Chromium not run'} (Debian, headless, \`--disable-gpu\`)`,
    `- load average (1/5/15 min) ${env.loadBefore.map((l) => l.toFixed(1)).join(' / ')} before, ${env.loadAfter.map((l) => l.toFixed(1)).join(' / ')} after, on ${env.cpu.split(' × ')[1] ?? '?'} cores: the machine is shared, so absolute figures move between runs; the comparisons are ratios within one run, and the variants of each benchmark are interleaved so a slow spell hits them alike.`,
    ...(env.uptimeBefore
      ? [
          `- \`uptime\` before: \`${env.uptimeBefore}\`; after: \`${env.uptimeAfter}\``,
          `- other processes using ≥ 10% of a core (100% = one core) in the second before each suite started: ${Object.entries(
            env.busyAtStart ?? { all: env.busyBefore ?? [] },
          )
            .map(([name, busy]) => `${name}: ${busy.length ? busy.map(shortLabel).join(', ') : 'none'}`)
            .join('; ')}`,
        ]
      : []),
    ...(env.loadDuring && Object.keys(env.loadDuring).length
      ? [
          `- 1-minute load average during each suite (min–max, sampled every 5 s; the suite's own processes count too — a suite alone loads about 1–2): ${Object.entries(
            env.loadDuring,
          )
            .filter(([, l]) => l)
            .map(([name, l]) => `${name} ${l.min.toFixed(1)}–${l.max.toFixed(1)}`)
            .join(', ')}`,
        ]
      : []),
    `- peers and tools: ${PEERS.map((p) => `${p} ${version(p)}`).join(', ')}`,
    `- suites took ${Object.entries(timings)
      .map(([name, s]) => `${name} ${Math.round(s)} s`)
      .join(
        ', ',
      )}${env.suitesSeconds ? ` (${Math.round(env.suitesSeconds)} s in all, after the build)` : ''}`,
    ...(env.quick ? ['- **quick run** (`--quick`): fewer runs per figure than a normal `pnpm bench`'] : []),
    ...(failures.length ? [`- **failed suites**: ${failures.join('; ')}`] : []),
    '',
    '## Results',
    '',
    'Each figure is the median of the runs, with the range (min–max) in parentheses; byte counts do not vary between runs.',
    '',
    markdownTable(rows),
    '',
    '## What was measured, and how',
    '',
    "**Payload.** Every entry is bundled the same way: esbuild, minified, ESM, `platform: browser`, `NODE_ENV=production`, code splitting on (chunks only imported dynamically — the widget's other locales — are left out and listed apart), then brotli quality 11 per output file. Ours: `createClient` from `@suportra/client`; `@suportra/react` with React, the client and the widget external (what it adds on top of the client); `mount` from `@suportra/widget` with everything it pulls in. The script-tag files are measured as built, each compressed alone: `dist/cdn/widget.js` (the loader) and `dist/cdn/widget/app.js` with every chunk it imports statically (today the content-hashed `core-*.js`: Preact, signals, the client, the UI, the CSS) plus the English strings — everything loaded when the widget opens; the other chunks load on demand and are listed apart. Peers: what their docs tell vendors to install, with React 19 (`react` + `react-dom/client`) bundled in where the peer needs it. **Intercom (`@intercom/messenger-js-sdk`), LiveChat (`@livechat/widget-core`) and Crisp (`crisp-sdk-web`) are loaders: their npm package only injects a script tag for a hosted messenger bundle that is downloaded when the page loads, and whose size cannot be measured here (no network).** Their rows are the loader alone, comparable to our `widget.js`, not to our widget. `@livechat/customer-sdk` and `stream-chat` are headless SDKs, comparable to our client; Papercups' widget and Vercel's `useChat` are complete client-side bundles.",
    '',
    `**Host page.** Real Chromium (playwright-core, \`/usr/bin/chromium\`), a fresh browser context per load, ${host?.cpuThrottling ?? 4}× CPU throttling through CDP \`Emulation.setCPUThrottlingRate\`. The pages (bench/pages) are the same small static page without the tag, with \`<script async src=".../widget.js" data-app-id>\` as the README shows it (the widget is fetched on intent), and with \`data-load="idle"\` (the opt-in preload when the browser is idle); served by examples/host-server.mjs on their own origin, with the real server (bench/serve.mjs, its own process) serving the widget. A load is "settled" when no request started or finished for 1.5 s (and at least 2 s after the load event). Long tasks come from a \`longtask\` PerformanceObserver installed before the page's scripts; total blocking time is the sum of (duration − 50 ms) from navigation to settled, and separately for tasks after the load event (the plain page has nearly none, so that column isolates the widget). Long animation frames (\`long-animation-frame\` entries) name the scripts that ran in them; "our scripts" sums the entries from \`widget.js\` and \`widget/app.js\`. Bytes are CDP \`Network.loadingFinished\` \`encodedDataLength\` (headers included) before any interaction. Launcher → interactive: from the \`pointerdown\` of a real click on the launcher to the first animation frame after the sign-in email field has focus.`,
    '',
    `**Transcript.** A user with one active session holding N messages, seeded straight into SQLite (bench/serve.mjs \`seed\`: consecutive \`seq\`, \`sessions.last_seq\` moved on; a mix of short and long text, markdown, and a code message in ten), opened in the production widget bundle (\`widget/app.js\` booted by bench/pages/transcript.js), signed in, unthrottled. "Painted" = the list holds the expected number of messages (its rows, or for a virtual list the \`aria-setsize\` its rows carry) and one more animation frame has run; a send is painted when a row shows its text. Scrolling sets the message log's \`scrollTop\` from \`requestAnimationFrame\` at ${transcript?.scroll.pxPerSecond ?? 3000} px/s for ${(transcript?.scroll.ms ?? 2000) / 1000} s, bouncing at the ends; frame times are the deltas between callbacks (16.7 ms at 60 Hz; > 25 ms is a dropped frame). The whole history is fetched with the widget's own client (\`mount()\`'s \`client.sessions.get(id).loadOlder()\` until it returns false): with the panel open at every size (before the list became virtual every page re-rendered the whole list and 10,000 took about two minutes; \`--open-paging N\` pages with the panel closed above N messages).`,
    '',
    `**Server.** The server under test (bench/serve.mjs: \`startServer\`, SQLite file, demo seed, rate limits raised, cheaper password hashing) and the ceiling (bench/ceiling.mjs: node:http + \`ws\`, the same request path and event shape, echo to the sender's sockets and broadcast to the builder's, no auth, no validation, no database) each run in their own process; bench/server.mjs is the load generator for both, the same code. N users each have an active session claimed by one builder; N user sockets and one builder socket are open. Latency: an open-loop load of ${server?.rate ?? 100} messages/s in all (round-robin over the sessions — at 1,000 sessions, one message every ${(1000 / (server?.rate ?? 100)).toFixed(0)} s each) for ${server?.seconds ?? 5} s, from the moment the generator starts the \`POST /v1/sessions/:id/messages\` to the builder socket's receipt of the \`message\` event. Throughput: every session sends back to back (the next once the previous is acknowledged) max(3, ${server?.throughputMessages ?? 1000} ÷ N) messages each (${(server?.results ?? []).map((r) => `${(Math.max(3, Math.ceil((server?.throughputMessages ?? 1000) / r.sessions)) * r.sessions).toLocaleString('en-US')} in all at ${r.sessions.toLocaleString('en-US')} sessions`).join(', ')}); messages/s until the builder has received every one. The two servers alternate in every round; the fraction is taken per round, then the median.`,
    '',
    `**Request rate.** bench/requests.mjs drives the same server process (bench/serve.mjs) with autocannon: ${results.requests?.connections ?? 20} keep-alive connections in a closed loop (each sends its next request when the previous is answered) for ${results.requests?.seconds ?? 5} s per kind and run, after one untimed second of each. Kinds: \`GET /health\` (the HTTP stack alone), \`GET /v1/credits\` (an authenticated read: JWT check and one ledger sum), \`GET /v1/sessions/:id/messages?limit=50\` (a page of a session holding ${results.requests?.history ?? 200} messages) and \`POST /v1/sessions/:id/messages\` (a new message with a fresh client id, to a session whose user and builder have their realtime sockets open, so each send is also fanned out). A run with a single error or non-2xx answer fails the benchmark. Latencies are autocannon's, in whole milliseconds.`,
    '',
    `**Memory.** Client: a fresh Node process (\`--expose-gc\`, bench/memory-client.mjs) measures the heap before the client exists, then signs in, watches a SessionHandle's \`$messages\` (as a UI does) and pages the whole 10,000-message history in; figures after two full GCs. Server: fresh processes with \`--expose-gc\`; RSS idle, then with 1,000 vendor-identified users (\`/v1/auth/identify\`) each holding one authenticated realtime socket; the ceiling holds 1,000 sockets.`,
    '',
    ...instancesSection(results.instances),
    '',
    '## Findings',
    '',
    ...findings({ results }).flatMap((p) => [p, '']),
    '## Weak spots of the method',
    '',
    '- **A shared, small machine.** Two cores, and other work (test suites, builds) may run at the same time (see the load average above). The load generator and the server share those two cores, so the server figures are lower bounds for a dedicated machine and the ceiling is partly limited by the generator itself. Ratios within a run are more trustworthy than absolute numbers.',
    "- **Headless Chromium without a GPU** rasterises in software and its frame clock is not a phone's; 4× CPU throttling approximates a mid-range phone's main thread, not its network, GPU or memory. Transcript rendering runs unthrottled (a phone would be slower still).",
    '- **Long tasks include the browser\'s own work** (parsing, first layout in a fresh renderer): the plain page has some too. Compare the "after the load event" row and the long-animation-frame attribution rather than the absolute total.',
    '- **Bytes on the wire in the host page rows** are what the reference server sends Chromium: brotli, precompressed at build time. Caching is off there (a fresh context per load), so those are first-visit figures; the revisit (304s) is measured apart by bench/wire.mjs, in Node.',
    "- **Each server gets an untimed round before the timed ones** (a latency and a throughput phase before the first size; one second of load before the next size): without it the fresh process's first round often ran at about half the rate of the later ones. A burst of other work on the machine during a round still shows as a slow round, hence the ranges.",
    "- **Latency is measured from the generator's send**, not from an intended schedule, so a generator that falls behind under-reports queueing; at the offered rate it keeps up. p99 comes from a few hundred samples per run.",
    "- **Scroll frames are programmatic** (`scrollTop` in rAF): they measure the main thread's frame production, not a finger-driven, compositor-threaded scroll, which can stay smooth while the main thread is busy.",
    "- **The peer loaders' hosted scripts are not measured**, and bundle sizes say nothing about runtime cost; only our widget is measured in the browser.",
    "- **Server RSS** depends on the allocator and on what ran before; the per-client figure is a difference of two RSS readings and includes each user's sign-in.",
    '',
  ]
  return lines.join('\n')
}
