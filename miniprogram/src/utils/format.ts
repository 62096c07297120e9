import { t } from '@/i18n'
import type { BindingStatus, Relation } from '@/api/types'

/** Mainland China mobile number: 11 digits starting 13–19. */
export function isCnMobile(phone: string): boolean {
  return /^1[3-9]\d{9}$/.test(phone.trim())
}

/** 13812345678 → 138****5678 (anything not a full mobile number is returned unchanged). */
export function maskPhone(phone: string): string {
  const p = phone.trim()
  return /^\d{11}$/.test(p) ? `${p.slice(0, 3)}****${p.slice(7)}` : p
}

/** Keep only digits, at most `max` (phone and SMS-code inputs). */
export function digitsOnly(value: string, max: number): string {
  return value.replace(/\D+/g, '').slice(0, max)
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/**
 * ISO timestamp → "YYYY-MM-DD HH:mm" in Asia/Shanghai (UTC+8, no DST). Done by offset, not Intl,
 * because the mini-program's JS engine may lack time-zone data.
 */
export function formatDateTime(iso: string | null | undefined, offsetMinutes = 480): string {
  if (!iso) return ''
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ''
  const d = new Date(ms + offsetMinutes * 60_000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

export function formatDate(iso: string | null | undefined, offsetMinutes = 480): string {
  return formatDateTime(iso, offsetMinutes).slice(0, 10)
}

/** Amount in fen (integer) → "¥1,234.50". Negative amounts keep their sign: "-¥3.00". */
export function formatMoney(fen: number): string {
  if (!Number.isFinite(fen)) return ''
  const sign = fen < 0 ? '-' : ''
  const abs = Math.round(Math.abs(fen))
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}¥${grouped}.${pad(cents)}`
}

export function relationLabel(relation: Relation | string): string {
  return t(`relation.${relation}`)
}

export function bindingStatusLabel(status: BindingStatus | string): string {
  return t(`bindingStatus.${status}`)
}

/** The send-code button's text during the resend countdown. */
export function sendCodeLabel(secondsLeft: number): string {
  return secondsLeft > 0 ? t('login.resendIn', { s: secondsLeft }) : t('login.sendCode')
}
