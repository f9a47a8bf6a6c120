/** Who is calling, as proven by a valid access token (`auth/tokens.ts` issues and verifies them). */
export interface Caller {
  userId: string
  role: 'user' | 'builder'
  appId: string
  familyId: string
}
