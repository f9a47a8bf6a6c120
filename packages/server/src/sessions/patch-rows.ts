import type { Patch, PatchResult } from '@suportra/protocol'
import type { MessageRow, NewMessage } from '../db/schema.js'

type PatchColumns = Pick<
  MessageRow,
  'patch_diff' | 'patch_description' | 'patch_result_of' | 'patch_applied' | 'patch_detail'
>

/** The patch columns of a new message row: null unless given. */
export function patchColumns(fields: Partial<NewMessage>): {
  [K in keyof PatchColumns]-?: Exclude<PatchColumns[K], undefined>
} {
  return {
    patch_diff: fields.patch_diff ?? null,
    patch_description: fields.patch_description ?? null,
    patch_result_of: fields.patch_result_of ?? null,
    patch_applied: fields.patch_applied ?? null,
    patch_detail: fields.patch_detail ?? null,
  }
}

/** The wire shape of a stored patch (null on messages without one). */
export function patchOf(row: MessageRow): Patch | null {
  return row.patch_diff == null ? null : { diff: row.patch_diff, description: row.patch_description ?? null }
}

/** The wire shape of a stored patch result (null on messages without one). */
export function patchResultOf(row: MessageRow): PatchResult | null {
  return row.patch_result_of == null
    ? null
    : { messageId: row.patch_result_of, applied: row.patch_applied === 1, detail: row.patch_detail ?? null }
}

/** How a patch result reads in the chat, for both sides (and any client that shows only the text). */
export function patchResultText(applied: boolean, detail: string | null | undefined): string {
  return applied ? 'Patch applied' : `Patch failed: ${detail?.trim() || 'no reason given'}`
}
