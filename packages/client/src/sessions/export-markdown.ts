import type { SessionHandle } from './session-handle.js'

/**
 * `@suportra/client/markdown`: a session's whole transcript as Markdown (older pages are loaded
 * first), to paste the builder's advice back into an AI tool — the author of each message, its text,
 * its code fenced with its language, the names of its files. Messages not yet stored (sending or
 * failed) and session events are left out. Its own entry, so apps that never export do not carry it.
 *
 * ```ts
 * import { exportMarkdown } from '@suportra/client/markdown'
 * const markdown = await exportMarkdown(client.sessions.get(id))
 * ```
 */
export async function exportMarkdown(
  session: Pick<SessionHandle, 'loadOlder' | '$session' | '$messages' | 'refresh'>,
): Promise<string> {
  while (await session.loadOlder());
  const { topic, user, builder } = session.$session.value ?? (await session.refresh())
  let markdown = `# ${topic}\n`
  for (const m of session.$messages.get()) {
    if (m.kind === 'event' || m.status !== 'sent') continue
    const who = m.author === 'user' ? user.name : builder?.name
    const code = m.code ? `\n\`\`\`${m.code.language}\n${m.code.content}\n\`\`\`` : ''
    markdown += `\n**${who}**: ${m.body}${code}${m.attachments.map((a) => `\n- ${a.name}`).join('')}\n`
  }
  return markdown
}
