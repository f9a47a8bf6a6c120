import type { AccountCatalog } from './en.account.js'

export const deAccount: AccountCatalog = {
  name: 'Name',
  ageConfirm: 'Ich bin mindestens 16 Jahre alt',
  emailTaken: 'Diese E-Mail-Adresse wird schon verwendet.',
  sendLink: 'Link senden',
  linkSent: 'Falls ein Konto {email} verwendet, ist der Link unterwegs. Er gilt {minutes} Minuten.',
  newPassword: 'Neues Passwort wählen',
  savePassword: 'Speichern und anmelden',
  linkExpired: 'Dieser Link ist abgelaufen oder wurde schon benutzt.',
  askAgain: 'Neuen Link anfordern',
  editAccount: 'Name und E-Mail ändern',
  currentPassword: 'Dein aktuelles Passwort',
  save: 'Speichern',
  saved: 'Gespeichert.',
  notYourPassword: 'Das ist nicht dein aktuelles Passwort.',
  exportData: 'Meine Daten herunterladen',
  deleteAccount: 'Mein Konto löschen',
  deleteWarn:
    'Dadurch werden dein Konto, deine Gespräche und Dateien gelöscht. Abrechnungsdaten bleiben ohne deinen Namen erhalten. Das lässt sich nicht rückgängig machen.',
  confirmDelete: 'Ja, alles löschen',
  forfeit: 'Deine {count} Credits verfallen mit dem Konto und werden nicht erstattet.',
}
