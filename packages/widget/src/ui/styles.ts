import css from './widget.css?inline'

// The default z-index is added here, not written in widget.css: the CSS minifier would round
// 2147483000 to 2147480000, below what some pages use. A `suportra-widget { --suportra-z }` rule
// of the page, or theme.zIndex, still wins over this :host rule.
let text = `${css}:host{--suportra-z:2147483000}`
let sheet: CSSStyleSheet | undefined
const added = new Set<string>()

/**
 * The widget's one constructable stylesheet (no `<style>` element, so a strict CSP needs nothing
 * special), shared by every widget root on the page.
 */
export function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet()
    sheet.replaceSync(text)
  }
  return sheet
}

/** Adds the rules a lazily loaded part brings with it (once), so opening the widget loads less CSS. */
export function addStyles(more: string): void {
  if (added.has(more)) return
  added.add(more)
  text += more
  sheet?.replaceSync(text)
}
