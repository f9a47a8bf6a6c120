import { unifiedDiffProblem } from '@suportra/client/protocol'
import { createTwoFilesPatch } from 'diff'
import { useState } from 'react'

/** A patch as the console sends it. */
export interface PatchDraft {
  diff: string
  description: string
}

/**
 * "Send as patch": paste a unified diff, or build one from a file (pick it, edit it here, and the
 * diff between the two is made for you). The diff is checked as the server checks it before sending.
 */
export function PatchForm({
  onSend,
  onCancel,
}: {
  onSend: (patch: PatchDraft) => void
  onCancel: () => void
}) {
  const [description, setDescription] = useState('')
  const [pasted, setPasted] = useState('')
  const [file, setFile] = useState<{ name: string; original: string } | undefined>()
  const [edited, setEdited] = useState('')
  const diff = file
    ? edited === file.original
      ? ''
      : createTwoFilesPatch(`a/${file.name}`, `b/${file.name}`, file.original, edited, undefined, undefined, {
          context: 3,
        }).replace(/^=+\n/m, '')
    : pasted
  const problem = diff.trim() ? unifiedDiffProblem(diff) : undefined
  return (
    <fieldset className="patch-form">
      <legend>Send as patch</legend>
      <label>
        What it does
        <input value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="attach">
        Build from a file
        <input
          type="file"
          onChange={async (event) => {
            const picked = event.target.files?.[0]
            if (!picked) return setFile(undefined)
            const original = await picked.text()
            setFile({ name: picked.name, original })
            setEdited(original)
          }}
        />
      </label>
      {file ? (
        <label>
          {file.name}, as it should be
          <textarea rows={8} value={edited} spellCheck={false} onChange={(e) => setEdited(e.target.value)} />
        </label>
      ) : (
        <label>
          Unified diff
          <textarea
            rows={8}
            value={pasted}
            spellCheck={false}
            placeholder={'--- a/file\n+++ b/file\n@@ -1 +1 @@'}
            onChange={(e) => setPasted(e.target.value)}
          />
        </label>
      )}
      {file && diff && (
        <figure className="patch" aria-label="Diff preview">
          <pre className="code">
            <code>{diff}</code>
          </pre>
        </figure>
      )}
      {problem && <small role="alert">{problem}</small>}
      <div className="composer-actions">
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          disabled={!diff.trim() || Boolean(problem)}
          onClick={() => onSend({ diff, description: description.trim() })}
        >
          Send patch
        </button>
      </div>
    </fieldset>
  )
}

/** A patch in the transcript: what it does and the diff, line by line. */
export function PatchView({
  patch,
  render,
}: {
  patch: { diff: string; description: string | null }
  render: (diff: string) => React.ReactNode
}) {
  return (
    <figure className="patch" aria-label={`Patch: ${patch.description || 'diff'}`}>
      <figcaption>Patch{patch.description ? `: ${patch.description}` : ''}</figcaption>
      {render(patch.diff)}
    </figure>
  )
}
