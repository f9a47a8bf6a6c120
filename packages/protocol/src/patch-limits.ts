/** Largest patch a message may carry: its unified diff, in characters (as long as a code block). */
export const MAX_PATCH_LENGTH = 200_000

/** Longest description of a patch, in characters. */
export const MAX_PATCH_DESCRIPTION_LENGTH = 500

/** Longest detail of a patch result ("Patch failed: …"), in characters. */
export const MAX_PATCH_DETAIL_LENGTH = 2_000
