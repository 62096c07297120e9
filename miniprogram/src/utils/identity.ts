/**
 * Chinese resident identity card numbers (居民身份证号码, GB 11643-1999): 17 digits and a check
 * character (ISO 7064 MOD 11-2); digits 7–14 are the birth date. The same rules as the backend's
 * `core.identity`, checked here so an owner sees a typo before the request goes to staff.
 */
import { t } from '@/i18n'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export type IdNumberProblem = 'format' | 'birthDate' | 'checksum'

/** Trim and upper-case (a lower-case `x` check character is common when typed on a phone). */
export function normaliseIdNumber(value: string): string {
  return value.trim().toUpperCase()
}

/** The check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** Today's date as `YYYYMMDD` in Asia/Shanghai (by offset: the mini-program may lack tz data). */
function todayKey(now: Date, offsetMinutes = 480): string {
  const d = new Date(now.getTime() + offsetMinutes * 60_000)
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n))
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

/** `null` when valid, else what is wrong. */
export function idNumberProblem(value: string, now: Date = new Date()): IdNumberProblem | null {
  const v = normaliseIdNumber(value)
  if (!/^\d{17}[\dX]$/.test(v)) return 'format'
  const birth = v.slice(6, 14)
  const year = Number(birth.slice(0, 4))
  const month = Number(birth.slice(4, 6))
  const day = Number(birth.slice(6, 8))
  if (!isRealDate(year, month, day) || birth < '19000101' || birth > todayKey(now)) return 'birthDate'
  if (idCheckCharacter(v) !== v[17]) return 'checksum'
  return null
}

export function isValidIdNumber(value: string, now?: Date): boolean {
  return idNumberProblem(value, now) === null
}

/** The user-facing message for a problem (zh-CN first). */
export function idNumberMessage(problem: IdNumberProblem): string {
  return t(`identity.${problem}`)
}

/** 110101199003071234 → 110101********1234: region and last four, the birth date hidden. */
export function maskIdNumber(value: string): string {
  const v = normaliseIdNumber(value)
  if (!v) return ''
  if (v.length < 10) return '*'.repeat(v.length)
  return `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`
}
