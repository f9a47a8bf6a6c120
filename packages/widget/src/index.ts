/**
 * @suportra/widget: `mount()` puts a "talk to a human" launcher and chat panel on the page.
 * Importing this module does nothing by itself, so it is safe during server-side rendering.
 */
export { mount, type WidgetInstance, type WidgetState } from './mount.js'
export type {
  MountOptions,
  OpenOptions,
  PatchHandler,
  PatchOffer,
  PatchOutcome,
  Theme,
  WidgetEventName,
  WidgetEvents,
} from './widget.js'
