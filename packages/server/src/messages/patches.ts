import type { SendMessageRequest } from '@suportra/protocol'
import type { Tx } from '../db/database.js'
import type { NewMessage } from '../db/schema.js'
import { forbidden, invalid } from '../errors.js'
import { patchResultText } from '../sessions/patch-rows.js'
import type { Access } from '../sessions/sessions.js'

type PatchFields = Pick<
  NewMessage,
  'patch_diff' | 'patch_description' | 'patch_result_of' | 'patch_applied' | 'patch_detail'
> & { body?: string }

/**
 * Who may send what about patches, checked before anything is stored:
 * - a `patch` comes from the session's builder only. It is the expert's fix, and the widget offers to
 *   apply it in the user's tool (`on('patch')`): a patch from the user would only travel back to
 *   them, and would make "Apply" a way to put any text forward as a builder's fix. Users share code
 *   as code blocks and files.
 * - a `patchResult` comes from the session's user only (their tool applied it or not), about a patch
 *   a builder sent in this same session; its body is worded here, so both sides read the same line.
 */
export function checkPatchRules(input: SendMessageRequest, access: Access): void {
  if (input.patch && access !== 'builder')
    throw forbidden('Only the builder of a session can send a patch; share code as a code block or a file')
  if (input.patchResult && access !== 'owner')
    throw forbidden("Only the session's user can report on a patch")
  if (input.patch && input.patchResult) throw invalid('A message carries a patch or a patch result, not both')
}

/** The patch columns (and, for a result, the body) of a message about to be stored in `sessionId`. */
export async function patchFields(
  tx: Tx,
  sessionId: string,
  input: SendMessageRequest,
): Promise<PatchFields> {
  if (input.patch) {
    return { patch_diff: input.patch.diff, patch_description: input.patch.description || null }
  }
  const result = input.patchResult
  if (!result) return {}
  const target = await tx
    .selectFrom('messages')
    .select('id')
    .where('id', '=', result.messageId)
    .where('session_id', '=', sessionId)
    .where('author', '=', 'builder')
    .where('patch_diff', 'is not', null)
    .executeTakeFirst()
  if (!target) throw invalid(`patchResult.messageId: no patch ${result.messageId} in this session`)
  return {
    patch_result_of: target.id,
    patch_applied: result.applied ? 1 : 0,
    patch_detail: result.detail || null,
    body: patchResultText(result.applied, result.detail),
  }
}
