/** The parts of a context, in the order the builder sees them. */
export const CONTEXT_PARTS = [
  'error',
  'file',
  'selection',
  'diff',
  'terminal',
  'conversation',
  'url',
  'tool',
  'project',
] as const

/** One part of a context. */
export type ContextPart = (typeof CONTEXT_PARTS)[number]
