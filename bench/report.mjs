// Turns the suites' results into the one table (printed by run.mjs) and docs/benchmarks.md.
import { describe, fmt } from './lib/stats.mjs'

const kB = (fig) => describe(fig)
const times = (a, b) => `${fmt(a / b)}×`

/** The table's rows: [section, what, result, comparison]. */
export function tableRows(results) {
  const rows = []
  const add = (section, what, result, comparison = '') => rows.push([section, what, result, comparison])

  const payload = results.payload
  if (payload) {
    const byName = (prefix) => payload.rows.find((r) => r.name.startsWith(prefix))
    const client = byName('@suportra/client')
    const loader = byName('script-tag loader')
    const app = byName('loaded when the widget opens:')
    const mount = byName('@suportra/widget npm')
    const versus = (row) => {
      if (row.group === 'ours') {
        if (row === mount) return `script-tag build of the same: ${kB(app.brotli)}`
        return ''
      }
      const ours = row.loader
        ? loader
        : /customer-sdk|stream-chat/.test(row.name)
          ? client
          : /floor/.test(row.name)
            ? mount
            : mount
      const label = ours === loader ? 'our loader' : ours === client ? 'our client' : 'our widget (mount)'
      const base = `${times(row.brotli.median, ours.brotli.median)} ${label}`
      return row.loader ? `${base}; then a hosted script (not measurable here)` : base
    }
    for (const row of payload.rows)
      add(
        'Payload (esbuild min + brotli 11)',
        row.name,
        `${kB(row.brotli)} (min ${kB(row.minified)})`,
        versus(row),
      )
    const chunks = Object.entries(payload.chunks)
      .map(([name, size]) => `${name} ${fmt(size)} kB`)
      .join(', ')
    add(
      'Payload (esbuild min + brotli 11)',
      'chunks of app.js loaded on demand (locales, code highlighting…)',
      chunks,
    )
  }

  const host = results.hostPage
  if (host) {
    const s = `Host page (Chromium, ${host.cpuThrottling}× CPU)`
    const vsPlain = (key, fig) =>
      `${fig.median - host.plain[key].median >= 0 ? '+' : ''}${fmt(fig.median - host.plain[key].median)} ms vs plain`
    add(s, 'total blocking time, navigation → settled: plain page', describe(host.plain.tbt))
    add(
      s,
      '… with `data-load="idle"` (opt-in: widget fetched when idle)',
      describe(host.tag.tbt),
      vsPlain('tbt', host.tag.tbt),
    )
    add(
      s,
      '… with the default tag (loaded on intent)',
      describe(host.cold.tbt),
      vsPlain('tbt', host.cold.tbt),
    )
    add(s, 'blocking time after the load event: plain', describe(host.plain.tbtAfterLoad))
    add(
      s,
      '… with `data-load="idle"`',
      describe(host.tag.tbtAfterLoad),
      vsPlain('tbtAfterLoad', host.tag.tbtAfterLoad),
    )
    add(
      s,
      '… with the default tag (on intent)',
      describe(host.cold.tbtAfterLoad),
      vsPlain('tbtAfterLoad', host.cold.tbtAfterLoad),
    )
    add(
      s,
      'our scripts inside long animation frames: `data-load="idle"`',
      describe(host.tag.ourScriptInLongFrames),
      `longest such frame ${describe(host.tag.ourLongestFrame)}`,
    )
    add(s, '… with the default tag (on intent)', describe(host.cold.ourScriptInLongFrames))
    add(
      s,
      'long tasks (count): plain / idle preload / default (on intent)',
      [host.plain, host.tag, host.cold].map((v) => describe(v.longTasks)).join(' / '),
    )
    add(s, 'load event: plain', describe(host.plain.loadEvent))
    add(
      s,
      '… with `data-load="idle"`',
      describe(host.tag.loadEvent),
      vsPlain('loadEvent', host.tag.loadEvent),
    )
    add(
      s,
      'bytes before any interaction: plain',
      describe(host.plain.bytes),
      'on the wire, uncompressed (the reference server does not compress)',
    )
    add(
      s,
      '… with `data-load="idle"`',
      describe(host.tag.bytes),
      `${describe(host.tag.brotliBytes)} if served with brotli 11`,
    )
    add(
      s,
      '… with the default tag (on intent)',
      describe(host.cold.bytes),
      `${describe(host.cold.brotliBytes)} if served with brotli 11`,
    )
    add(
      s,
      'sockets opened / storage written before interaction',
      `${host.tag.socketsBeforeInteraction + host.cold.socketsBeforeInteraction} / ${host.tag.storageBeforeInteraction + host.cold.storageBeforeInteraction}`,
    )
    add(
      s,
      'launcher press → panel interactive (`data-load="idle"`: preloaded)',
      describe(host.tag.clickToInteractive),
    )
    add(
      s,
      '… with the default tag (fetched on hover/press)',
      describe(host.cold.clickToInteractive),
      `${times(host.cold.clickToInteractive.median, host.tag.clickToInteractive.median)} the preloaded case`,
    )
  }

  const transcript = results.transcript
  if (transcript) {
    const s = 'Transcript (Chromium, 1× CPU)'
    for (const r of transcript.results) {
      const n = r.messages.toLocaleString('en-US')
      // Fewer than a handful of frames in the scroll window: the main thread was blocked, and
      // percentiles over two or three frames would read as a distribution they are not.
      const frames = (f) =>
        f.frames && f.frames.median < 10
          ? `${fmt(f.frames.median, 0)} frame${f.frames.median === 1 ? '' : 's'} in ${fmt(transcript.scroll.ms / 1000, 1)} s; longest ${fmt(f.max.median)} ms`
          : `p50 ${fmt(f.p50.median)} / p95 ${fmt(f.p95.median)} / max ${fmt(f.max.median)} ms`
      add(
        s,
        `${n} messages: open → panel painted (newest 50 shown)`,
        describe(r.firstPaint),
        `API calls (ms from open, first run): ${r.openRequests.map((q) => `${q.path.replace('/v1', '').replace(/:id-[\w-]*/, ':id')} ${fmt(q.start, 0)}→${fmt(q.end, 0)}`).join(', ')}`,
      )
      add(
        s,
        `${n}: scroll frames over the newest 50`,
        frames(r.firstScroll),
        `${describe(r.firstScroll.janky)} frames > 25 ms`,
      )
      add(s, `${n}: send → own message painted (50 held)`, describe(r.firstSend))
      add(
        s,
        `${n}: fetch the whole history with loadOlder() (${r.historyPages} pages), panel ${r.historyPanelOpen ? 'open' : 'closed'}`,
        describe(r.history),
        r.historyComplete ? '' : 'INCOMPLETE (timed out)',
      )
      add(
        s,
        `${n}: open → panel painted with all ${n}`,
        describe(r.reopenPaint),
        `${r.fullScroll.nodes.toLocaleString('en-US')} elements in the list; page heap ${describe(r.heap)}`,
      )
      add(
        s,
        `${n}: scroll frames over all ${n} (first pass after opening)`,
        frames(r.fullScroll),
        `${describe(r.fullScroll.janky)} frames > 25 ms`,
      )
      add(
        s,
        `${n}: send → own message painted (all held)`,
        describe(r.fullSend),
        `${times(r.fullSend.median, r.firstSend.median)} with 50 held`,
      )
    }
  }

  for (const [server, s] of [
    [results.server, 'Server fan-out (send → builder receipt), SQLite'],
    [results.serverPostgres, 'Server fan-out (send → builder receipt), one instance on PostgreSQL'],
  ]) {
    if (!server?.results) continue
    for (const r of server.results) {
      const n = r.sessions.toLocaleString('en-US')
      add(
        s,
        `${n} active sessions, ${server.rate} msg/s offered: p50 / p99, ours`,
        `${describe(r.ours.p50)} / ${describe(r.ours.p99)}`,
      )
      add(
        s,
        `… plain ws ceiling`,
        `${describe(r.ceiling.p50)} / ${describe(r.ceiling.p99)}`,
        `ours ${times(r.ours.p50.median, r.ceiling.p50.median)} at p50 (goal ≤ 2×)`,
      )
      add(
        s,
        `${n} active sessions: messages/s sustained, ours`,
        describe(r.ours.rate),
        `p99 at saturation ${describe(r.ours.saturatedP99)}`,
      )
      add(
        s,
        `… plain ws ceiling`,
        describe(r.ceiling.rate),
        `ours = ${fmt(r.fraction.median * 100)}% of it (${fmt(r.fraction.min * 100)}–${fmt(r.fraction.max * 100)}%; goal ≥ 50%)`,
      )
    }
  }

  const drain = results.drain
  if (drain?.drain) {
    const s = `Drain after an outage (${drain.messages} messages queued while the server was down)`
    const checks = (c) => `lost ${c.lost}, doubled ${c.doubled}, rounds out of order ${c.outOfOrder}`
    add(
      s,
      'the client’s outbox (Node), server back → last acknowledged',
      describe(drain.drain),
      `goal ≤ 2 s; first acknowledged after ${drain.firstAck ? describe(drain.firstAck) : '?'}; ${checks(drain.outbox)}`,
    )
    add(
      s,
      `the batch endpoint, ${drain.batchSize} per request (each batch then sent again)`,
      describe(drain.batch),
      checks(drain.batchChecks),
    )
  }

  const wire = results.wire
  if (wire?.firstVisitBytes) {
    const s = 'Widget files from the reference server (self-hosted)'
    const kb = (bytes) => `${fmt(bytes / 1000)} kB`
    add(
      s,
      `bytes on the wire when the widget opens (${wire.files.length} files, ${wire.encodings.join(', ')}; headers included)`,
      kb(wire.firstVisitBytes),
      `bodies ${kb(wire.firstVisitBodyBytes)}; brotli 11 of the files ${kb(wire.brotli11Bytes)}; uncompressed ${kb(wire.uncompressedBytes)}`,
    )
    add(
      s,
      '… revisit past max-age, with the validators (If-None-Match)',
      kb(wire.revisitBytes),
      `statuses ${[...new Set(wire.revisitStatuses)].join(', ')} (${wire.revisitStatuses.length} files)`,
    )
  }

  const queries = results.queries
  if (queries?.queue) {
    const s = 'SQL statements per request (counted; BEGIN/COMMIT not included)'
    add(
      s,
      'GET /v1/builder/queue, 200 waiting',
      String(queries.queue[200]),
      `${queries.queue[2]} with 2 waiting`,
    )
    add(
      s,
      'POST /v1/sessions/{id}/messages (a new message)',
      String(queries.send),
      `a retry of it: ${queries.retry}`,
    )
  }

  const requests = results.requests
  if (requests) {
    const s = `Server request rate (one process, ${requests.connections} connections)`
    for (const r of Object.values(requests.results))
      add(
        s,
        `${r.method} ${r.path}: requests/s`,
        describe(r.rate),
        `p50 / p99 ${describe(r.p50)} / ${describe(r.p99)}`,
      )
  }

  const memory = results.memory
  if (memory) {
    const s = 'Memory'
    const c = memory.client
    add(
      s,
      `client heap holding ${c.messages.toLocaleString('en-US')} messages (Node, after GC)`,
      describe(c.withAll),
      `${describe(c.perMessage)} per message; the same messages as JSON: ${fmt(c.jsonBytes)} MB`,
    )
    add(s, '… holding the newest page only', describe(c.withNewestPage))
    const { ours, ceiling } = memory.server
    add(
      s,
      `server RSS with ${ours.connected.toLocaleString('en-US')} connected clients, ours`,
      describe(ours.rss),
      `idle ${describe(ours.idle)}; +${describe(ours.perClient)} per client`,
    )
    add(
      s,
      `… plain ws ceiling (${ceiling.connected.toLocaleString('en-US')} sockets)`,
      describe(ceiling.rss),
      `idle ${describe(ceiling.idle)}; +${describe(ceiling.perClient)} per socket; ours ${times(ours.rss.median, ceiling.rss.median)}`,
    )
  }

  const instances = results.instances
  if (instances?.rows)
    for (const [what, result, comparison] of instances.rows)
      add('PostgreSQL instances', what, result, comparison)
  else if (instances?.fanOut) {
    // bench/instances.mjs prints its own shape: one summary per (sessions, instances).
    const s = `PostgreSQL, 1 vs 2 instances (${instances.behind ?? 'behind a proxy'}${instances.rounds === 1 ? '; one round' : ''})`
    // ` (min–max)` of the rounds; nothing when there was one round.
    const range = (text) => {
      const [min, max] = (text ?? '').split('–').map(Number)
      return Number.isFinite(min) && min !== max ? ` (${fmt(min)}–${fmt(max)})` : ''
    }
    const ms = (r, key) => `${fmt(r[key])} ms${range(r[`${key} (min–max)`])}`
    for (const r of instances.fanOut) {
      const one = instances.fanOut.find((o) => o.sessions === r.sessions && o.instances === 1)
      add(
        s,
        `${r.sessions.toLocaleString('en-US')} sessions × 10 messages back to back, ${r.instances} instance${r.instances > 1 ? 's' : ''}: p50 / p99`,
        `${ms(r, 'send→receipt p50 ms')} / ${ms(r, 'send→receipt p99 ms')}`,
        `${fmt(r['messages/s'])} msg/s${range(r['messages/s (min–max)'])}${r !== one && one ? `; ${times(r['messages/s'], one['messages/s'])} one instance's rate` : ''}`,
      )
    }
  }

  return rows
}

export function markdownTable(rows) {
  const cell = (text) => String(text).replaceAll('|', '\\|')
  const out = ['| benchmark | what | median (min–max) | comparison |', '| --- | --- | --- | --- |']
  let last
  for (const [section, what, result, comparison] of rows) {
    out.push(
      `| ${section === last ? '' : `**${cell(section)}**`} | ${cell(what)} | ${cell(result)} | ${cell(comparison)} |`,
    )
    last = section
  }
  return out.join('\n')
}

/** The table for a terminal: aligned columns, a rule between sections. */
export function textTable(rows) {
  const widths = [0, 1, 2, 3].map((i) =>
    Math.min(i === 1 ? 70 : 60, Math.max(...rows.map((r) => String(r[i]).length))),
  )
  const cut = (text, width) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width))
  const out = []
  let last
  for (const [section, what, result, comparison] of rows) {
    if (section !== last) out.push('', section, '-'.repeat(section.length))
    out.push(`  ${cut(what, widths[1])}  ${cut(result, widths[2])}  ${comparison}`)
    last = section
  }
  return out.join('\n')
}
