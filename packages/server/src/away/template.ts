import type { Locale, Template } from '../email/render.js'

/** The fragment that opens the widget on a session (`#suportra-session=<id>`). */
export const SESSION_FRAGMENT = 'suportra-session='

const TEXT: Record<
  Locale,
  {
    subject: (b: string) => string
    hi: (n: string) => string
    body: (b: string, t: string) => string
    open: string
    noLink: string
    why: string
  }
> = {
  en: {
    subject: (b) => `${b} answered your Suportra question`,
    hi: (n) => `Hi ${n},`,
    body: (b, t) => `${b} answered your question about ${t} while you were away.`,
    open: 'Open the chat to read it and reply:',
    noLink: 'Open the Suportra chat where you asked to read it and reply.',
    why: 'You get this email because a builder replied after you left the chat; one per absence.',
  },
  es: {
    subject: (b) => `${b} respondió a tu pregunta en Suportra`,
    hi: (n) => `Hola, ${n}:`,
    body: (b, t) => `${b} respondió a tu pregunta sobre ${t} mientras no estabas.`,
    open: 'Abre el chat para leerla y responder:',
    noLink: 'Abre el chat de Suportra donde preguntaste para leerla y responder.',
    why: 'Recibes este correo porque un builder respondió después de que salieras del chat; uno por ausencia.',
  },
  de: {
    subject: (b) => `${b} hat deine Suportra-Frage beantwortet`,
    hi: (n) => `Hallo ${n},`,
    body: (b, t) => `${b} hat deine Frage zu ${t} beantwortet, während du weg warst.`,
    open: 'Öffne den Chat, um die Antwort zu lesen und zu antworten:',
    noLink: 'Öffne den Suportra-Chat, in dem du gefragt hast, um die Antwort zu lesen.',
    why: 'Du bekommst diese E-Mail, weil ein Builder geantwortet hat, nachdem du den Chat verlassen hattest; eine pro Abwesenheit.',
  },
  ar: {
    subject: (b) => `أجاب ${b} عن سؤالك في Suportra`,
    hi: (n) => `مرحبًا ${n}،`,
    body: (b, t) => `أجاب ${b} عن سؤالك حول ${t} أثناء غيابك.`,
    open: 'افتح المحادثة لقراءة الرد والإجابة:',
    noLink: 'افتح محادثة Suportra التي سألت فيها لقراءة الرد.',
    why: 'تصلك هذه الرسالة لأن خبيرًا ردّ بعد مغادرتك المحادثة؛ رسالة واحدة لكل غياب.',
  },
}

/**
 * "A builder answered while you were away", in the user's language, with a link back to the page the
 * session started from (on the app's allowed origins) that opens the chat on the session. Quotes
 * neither the topic nor the reply: anyone can give any address at sign-up, and this must not carry
 * their text to a stranger's inbox; it names only what the server and the operator chose (the tool,
 * the builder's name).
 */
export function builderReplied(input: {
  name: string
  builder: string
  tool: string
  returnUrl: string | null
  sessionId: string
}): { template: Template } {
  const link = input.returnUrl ? `${input.returnUrl}#${SESSION_FRAGMENT}${input.sessionId}` : undefined
  return {
    template: (locale) => {
      const t = TEXT[locale]
      return {
        subject: t.subject(input.builder),
        paragraphs: [
          t.hi(input.name),
          t.body(input.builder, input.tool),
          ...(link ? [t.open, link] : [t.noLink]),
          t.why,
        ],
      }
    },
  }
}
