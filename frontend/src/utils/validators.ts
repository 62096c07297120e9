/** Client-side mirrors of the server's validation rules (the server stays the authority). */

export const RESERVED_SLUGS: readonly string[] = [
  'www',
  'api',
  'admin',
  'public',
  'static',
  'media',
  'app',
  'mail',
  'platform',
  'console',
  'help',
  'support',
  'status',
]

const SLUG = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/
const MOBILE = /^1[3-9]\d{9}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/

export type SlugProblem = 'format' | 'reserved' | null

export function slugProblem(slug: string): SlugProblem {
  if (!SLUG.test(slug)) return 'format'
  if (RESERVED_SLUGS.includes(slug)) return 'reserved'
  return null
}

export const isValidSlug = (slug: string) => slugProblem(slug) === null
export const isChineseMobile = (phone: string) => MOBILE.test(phone)
export const isEmail = (email: string) => EMAIL.test(email)
export const isHexColor = (color: string) => HEX_COLOR.test(color)

/** At least 10 characters, with at least one letter and one digit. */
export function isStrongPassword(password: string): boolean {
  return password.length >= 10 && /[A-Za-z]/.test(password) && /\d/.test(password)
}

/** What is wrong with a resident ID number (GB 11643), or null; mirrors core/identity.py. */
export type IdNumberProblem = 'format' | 'birthdate' | 'checksum' | null

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

export function idNumberProblem(raw: string, today: Date = new Date()): IdNumberProblem {
  const value = raw.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(value)) return 'format'
  const year = Number(value.slice(6, 10))
  const month = Number(value.slice(10, 12))
  const day = Number(value.slice(12, 14))
  // Date.UTC rolls 02-30 over to March: comparing the parts back catches impossible dates.
  const born = new Date(Date.UTC(year, month - 1, day))
  const real =
    born.getUTCFullYear() === year && born.getUTCMonth() === month - 1 && born.getUTCDate() === day
  if (!real || year < 1900 || born.getTime() > today.getTime()) return 'birthdate'
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * ID_WEIGHTS[i]
  return ID_CHECK[sum % 11] === value[17] ? null : 'checksum'
}

export const isValidIdNumber = (value: string) => idNumberProblem(value) === null
