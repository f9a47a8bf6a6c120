/** A command used wrongly (a missing or invalid flag): the CLI exits with 2, not 1. */
export class UsageError extends Error {}
