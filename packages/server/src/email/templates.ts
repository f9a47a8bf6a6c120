import type { Locale, Template } from './render.js'

/**
 * The transactional emails, each one function of its input returning a `Template` (subject and
 * paragraphs per language: en, es, de, ar). Every one says why it was sent. `queueEmail` renders
 * them in the user's language with the vendor's name, as text and HTML.
 */
type Texts = Record<Locale, { subject: string; paragraphs: string[] }>
const pick =
  (texts: (appName: string) => Texts): Template =>
  (locale, appName) =>
    texts(appName)[locale]

export function sessionStarted(input: { name: string; topic: string; tool: string }) {
  const quoted = `  ${input.topic}`
  return {
    template: pick(() => ({
      en: {
        subject: 'Your Suportra session has started',
        paragraphs: [
          `Hi ${input.name},`,
          `We received your request about ${input.tool}:`,
          quoted,
          'A builder will join shortly; you will see them in the chat. You are charged only once a builder joins.',
        ],
      },
      es: {
        subject: 'Tu sesión de Suportra ha comenzado',
        paragraphs: [
          `Hola ${input.name}:`,
          `Hemos recibido tu solicitud sobre ${input.tool}:`,
          quoted,
          'Un builder se unirá en breve; lo verás en el chat. Solo se te cobra cuando un builder se une.',
        ],
      },
      de: {
        subject: 'Deine Suportra-Sitzung hat begonnen',
        paragraphs: [
          `Hallo ${input.name},`,
          `wir haben deine Anfrage zu ${input.tool} erhalten:`,
          quoted,
          'Ein Builder kommt gleich dazu; du siehst ihn im Chat. Berechnet wird erst, wenn ein Builder beitritt.',
        ],
      },
      ar: {
        subject: 'بدأت جلسة Suportra الخاصة بك',
        paragraphs: [
          `مرحبًا ${input.name}،`,
          `تلقّينا طلبك بخصوص ${input.tool}:`,
          quoted,
          'سينضم أحد الخبراء قريبًا وستراه في المحادثة. لا تُخصم الرصيد إلا عند انضمام الخبير.',
        ],
      },
    })),
  }
}

export function lowBalance(input: { name: string; balance: number }) {
  const n = input.balance
  return {
    template: pick(() => ({
      en: {
        subject: `You have ${n} Suportra credit${n === 1 ? '' : 's'} left`,
        paragraphs: [
          `Hi ${input.name},`,
          `Your balance is down to ${n}. Buy a pack from the support panel when you need more conversations.`,
        ],
      },
      es: {
        subject: `Te quedan ${n} crédito${n === 1 ? '' : 's'} de Suportra`,
        paragraphs: [
          `Hola ${input.name}:`,
          `Tu saldo ha bajado a ${n}. Compra un paquete desde el panel de ayuda cuando necesites más conversaciones.`,
        ],
      },
      de: {
        subject: `Du hast noch ${n} Suportra-Guthaben`,
        paragraphs: [
          `Hallo ${input.name},`,
          `dein Guthaben liegt bei ${n}. Kauf ein Paket im Support-Bereich, wenn du weitere Gespräche brauchst.`,
        ],
      },
      ar: {
        subject: `تبقّى لديك ${n} من رصيد Suportra`,
        paragraphs: [
          `مرحبًا ${input.name}،`,
          `انخفض رصيدك إلى ${n}. اشترِ باقة من لوحة الدعم عندما تحتاج إلى محادثات أخرى.`,
        ],
      },
    })),
  }
}

export function receipt(input: {
  name: string
  pack: string
  credits: number
  amount: number
  currency: string
  reference: string
}) {
  const price = (locale: Locale) =>
    new Intl.NumberFormat(locale, { style: 'currency', currency: input.currency.toUpperCase() }).format(
      input.amount / 100,
    )
  const lines = (credits: string, paid: string, reference: string, locale: Locale) =>
    `  ${input.pack}: ${input.credits} ${credits}\n${paid}: ${price(locale)}\n${reference}: ${input.reference}`
  return {
    template: pick(() => ({
      en: {
        subject: `Receipt: ${input.pack}`,
        paragraphs: [
          `Hi ${input.name},`,
          'Thank you for your purchase.',
          lines('credits', 'Paid', 'Reference', 'en'),
          'The credits are in your balance now.',
        ],
      },
      es: {
        subject: `Recibo: ${input.pack}`,
        paragraphs: [
          `Hola ${input.name}:`,
          'Gracias por tu compra.',
          lines('créditos', 'Pagado', 'Referencia', 'es'),
          'Los créditos ya están en tu saldo.',
        ],
      },
      de: {
        subject: `Beleg: ${input.pack}`,
        paragraphs: [
          `Hallo ${input.name},`,
          'danke für deinen Kauf.',
          lines('Guthaben', 'Bezahlt', 'Referenz', 'de'),
          'Das Guthaben ist jetzt auf deinem Konto.',
        ],
      },
      ar: {
        subject: `إيصال: ${input.pack}`,
        paragraphs: [
          `مرحبًا ${input.name}،`,
          'شكرًا لشرائك.',
          lines('رصيد', 'المدفوع', 'المرجع', 'ar'),
          'أُضيف الرصيد إلى حسابك الآن.',
        ],
      },
    })),
  }
}

/**
 * Goes to an address nobody has verified, so it quotes nothing the sender wrote: otherwise anyone
 * could send their own text to any inbox from the operator's domain.
 */
export function auditReceived() {
  return {
    template: pick(() => ({
      en: {
        subject: 'We received your stack audit request',
        paragraphs: [
          'Hi,',
          'Thanks for your stack audit request. A builder will review it and reply to this address.',
          'If you did not ask for this, ignore this email.',
        ],
      },
      es: {
        subject: 'Hemos recibido tu solicitud de auditoría',
        paragraphs: [
          'Hola:',
          'Gracias por tu solicitud de auditoría. Un builder la revisará y responderá a esta dirección.',
          'Si no la pediste, ignora este correo.',
        ],
      },
      de: {
        subject: 'Wir haben deine Stack-Audit-Anfrage erhalten',
        paragraphs: [
          'Hallo,',
          'danke für deine Anfrage. Ein Builder sieht sie sich an und antwortet an diese Adresse.',
          'Wenn du das nicht angefragt hast, ignoriere diese E-Mail.',
        ],
      },
      ar: {
        subject: 'تلقّينا طلب تدقيق الأدوات الخاص بك',
        paragraphs: [
          'مرحبًا،',
          'شكرًا لطلبك. سيراجعه أحد الخبراء ويرد على هذا العنوان.',
          'إذا لم تطلب ذلك فتجاهل هذه الرسالة.',
        ],
      },
    })),
  }
}

/** The fragment that carries a password reset token in a link (`#suportra-reset=<token>`). */
export const RESET_FRAGMENT = 'suportra-reset='

/**
 * Goes to the address of an account whose name anyone could have chosen (addresses are not
 * verified at sign-up), so it quotes only what the server made: the link, the site it opens, the time.
 */
export function passwordReset(input: { link: string; minutes: number }) {
  const site = new URL(input.link).origin
  const m = input.minutes
  return {
    template: pick(() => ({
      en: {
        subject: 'Reset your Suportra password',
        paragraphs: [
          'Hi,',
          `Someone asked, on ${site}, to reset the password of the Suportra account that uses this email address.`,
          `To choose a new password, open this link within ${m} minutes. It works once, and signs you out everywhere else:`,
          input.link,
          'If you did not ask for this, ignore this email: your password stays as it is.',
        ],
      },
      es: {
        subject: 'Restablece tu contraseña de Suportra',
        paragraphs: [
          'Hola:',
          `Alguien pidió, en ${site}, restablecer la contraseña de la cuenta que usa esta dirección.`,
          `Para elegir una nueva, abre este enlace en los próximos ${m} minutos. Funciona una vez y cierra tu sesión en todos los demás sitios:`,
          input.link,
          'Si no lo pediste, ignora este correo: tu contraseña no cambia.',
        ],
      },
      de: {
        subject: 'Suportra-Passwort zurücksetzen',
        paragraphs: [
          'Hallo,',
          `jemand hat auf ${site} verlangt, das Passwort des Kontos mit dieser E-Mail-Adresse zurückzusetzen.`,
          `Öffne diesen Link innerhalb von ${m} Minuten, um ein neues Passwort zu wählen. Er funktioniert einmal und meldet dich überall sonst ab:`,
          input.link,
          'Wenn du das nicht warst, ignoriere diese E-Mail: dein Passwort bleibt, wie es ist.',
        ],
      },
      ar: {
        subject: 'إعادة تعيين كلمة مرور Suportra',
        paragraphs: [
          'مرحبًا،',
          `طلب شخص ما، على ${site}، إعادة تعيين كلمة مرور الحساب الذي يستخدم هذا العنوان.`,
          `لاختيار كلمة مرور جديدة افتح هذا الرابط خلال ${m} دقيقة. يعمل مرة واحدة ويسجّل خروجك من كل مكان آخر:`,
          input.link,
          'إذا لم تطلب ذلك فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.',
        ],
      },
    })),
  }
}

/** What stays of a reset email once it is sent: the token goes (the outbox keeps no usable link). */
export function withoutResetToken(body: string): string {
  return body.replace(new RegExp(`#${RESET_FRAGMENT}[\\w-]+`, 'g'), `#${RESET_FRAGMENT}(removed once sent)`)
}

/** To the old address when an account's email changes, so a takeover does not go unnoticed. */
export function emailChanged(input: { newEmail: string }) {
  return {
    template: pick(() => ({
      en: {
        subject: 'Your Suportra email address was changed',
        paragraphs: [
          'Hi,',
          `The email address of your Suportra account was changed to ${input.newEmail}. Emails about the account go there from now on.`,
          'If you did not make this change, someone else may know your password: contact support at once.',
        ],
      },
      es: {
        subject: 'Tu dirección de correo de Suportra ha cambiado',
        paragraphs: [
          'Hola:',
          `La dirección de tu cuenta se cambió a ${input.newEmail}. Los correos de la cuenta irán allí a partir de ahora.`,
          'Si no hiciste este cambio, alguien puede conocer tu contraseña: contacta con soporte de inmediato.',
        ],
      },
      de: {
        subject: 'Deine Suportra-E-Mail-Adresse wurde geändert',
        paragraphs: [
          'Hallo,',
          `die E-Mail-Adresse deines Kontos wurde in ${input.newEmail} geändert. E-Mails zum Konto gehen ab jetzt dorthin.`,
          'Wenn du das nicht warst, kennt vielleicht jemand dein Passwort: wende dich sofort an den Support.',
        ],
      },
      ar: {
        subject: 'تم تغيير عنوان بريدك في Suportra',
        paragraphs: [
          'مرحبًا،',
          `تم تغيير عنوان البريد الإلكتروني لحسابك إلى ${input.newEmail}. ستصل رسائل الحساب إليه من الآن.`,
          'إذا لم تُجرِ هذا التغيير فقد يعرف شخص آخر كلمة مرورك: تواصل مع الدعم فورًا.',
        ],
      },
    })),
  }
}

/** An operator's notice of a policy change (`suportra-server notify-policy-change`), in their words. */
export function policyNotice(input: { subject: string; body: string }): { template: Template } {
  const paragraphs = input.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
  return { template: () => ({ subject: input.subject, paragraphs }) }
}
