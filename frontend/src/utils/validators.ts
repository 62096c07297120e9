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
