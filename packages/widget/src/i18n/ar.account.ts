import type { AccountCatalog } from './en.account.js'

export const arAccount: AccountCatalog = {
  name: 'الاسم',
  ageConfirm: 'عمري 16 سنة أو أكثر',
  emailTaken: 'هذا البريد الإلكتروني مستخدم في حساب آخر.',
  sendLink: 'أرسل لي رابطًا',
  linkSent: 'إن كان هناك حساب بالبريد {email} فالرابط في طريقه إليه. يعمل لمدة {minutes} دقيقة.',
  newPassword: 'اختر كلمة مرور جديدة',
  savePassword: 'احفظ وسجّل الدخول',
  linkExpired: 'انتهت صلاحية هذا الرابط أو استُخدم من قبل.',
  askAgain: 'اطلب رابطًا جديدًا',
  editAccount: 'تعديل الاسم والبريد الإلكتروني',
  currentPassword: 'كلمة المرور الحالية',
  save: 'حفظ',
  saved: 'تم الحفظ.',
  notYourPassword: 'هذه ليست كلمة مرورك الحالية.',
  exportData: 'تنزيل بياناتي',
  deleteAccount: 'حذف حسابي',
  deleteWarn:
    'سيؤدي هذا إلى حذف حسابك ومحادثاتك وملفاتك. تُحفظ سجلات الفوترة دون اسمك. لا يمكن التراجع عن ذلك.',
  confirmDelete: 'نعم، احذف كل شيء',
  forfeit: 'يضيع رصيدك ({count}) مع الحساب ولا يُسترد.',
}
