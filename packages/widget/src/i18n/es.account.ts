import type { AccountCatalog } from './en.account.js'

export const esAccount: AccountCatalog = {
  name: 'Nombre',
  ageConfirm: 'Tengo 16 años o más',
  emailTaken: 'Ya hay una cuenta con este correo.',
  sendLink: 'Enviarme un enlace',
  linkSent: 'Si hay una cuenta con {email}, el enlace va en camino. Sirve durante {minutes} minutos.',
  newPassword: 'Elige una contraseña nueva',
  savePassword: 'Guardar y entrar',
  linkExpired: 'Este enlace caducó o ya se usó.',
  askAgain: 'Pedir un enlace nuevo',
  editAccount: 'Cambiar nombre y correo',
  currentPassword: 'Tu contraseña actual',
  save: 'Guardar',
  saved: 'Guardado.',
  notYourPassword: 'Esa no es tu contraseña actual.',
  exportData: 'Descargar mis datos',
  deleteAccount: 'Eliminar mi cuenta',
  deleteWarn:
    'Esto elimina tu cuenta, conversaciones y archivos. Los registros de facturación se conservan sin tu nombre. No se puede deshacer.',
  confirmDelete: 'Sí, eliminar todo',
  forfeit: 'Tus {count} créditos se pierden con la cuenta y no se reembolsan.',
}
