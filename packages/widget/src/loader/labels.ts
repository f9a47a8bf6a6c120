/**
 * The placeholder launcher's label in each language the widget speaks (the same words as the widget's
 * catalogues, so nothing changes under the pointer when the widget takes over); `labels.test.ts` keeps them equal.
 */
export const LABELS: Record<string, string> = {
  en: 'Ask a human',
  es: 'Habla con una persona',
  de: 'Mit einem Menschen sprechen',
  ar: 'تحدّث مع إنسان',
}

/** The widget's choice of language (`pickLocale`): the tag's `data-locale`, else the browser's first supported one. */
export const pickLocale = (requested?: string): string =>
  [requested, ...navigator.languages]
    .map((tag) => tag?.toLowerCase().split('-')[0] as string)
    .find((base) => base in LABELS) ?? 'en'
