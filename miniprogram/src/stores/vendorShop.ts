/**
 * What an owner reads of a vendor's shop (周边商家 / 家政服务 cards and the vendor page): how far it
 * is, its opening hours and whether it is open now — pure views of the server's fields.
 */
import type { OwnerVendor } from '@/api/types'
import { t } from '@/i18n'

/**
 * How far a vendor is from my estate: "350 m" under a kilometre, "1.2 km" up to ten, "12 km" beyond;
 * "" when the server could not tell (the estate or the shop is not on the map).
 */
export function distanceText(metres: number | null | undefined): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres) || metres < 0) return ''
  const m = Math.round(metres)
  if (m < 1000) return t('vendors.metres', { n: m })
  const tenths = Math.round(m / 100) / 10
  return t('vendors.kilometres', { n: tenths < 10 ? tenths.toFixed(1) : String(Math.round(m / 1000)) })
}

/** "09:00:00" → "09:00". */
const hhmm = (time: string) => time.slice(0, 5)

/**
 * Opening hours as one line: "09:00–21:00", or "18:00–次日02:00" when they run past midnight
 * (closing earlier than opening); "" when the vendor gave none.
 */
export function hoursText(v: Pick<OwnerVendor, 'opens_at' | 'closes_at'>): string {
  if (!v.opens_at || !v.closes_at) return ''
  const closes = hhmm(v.closes_at)
  return `${hhmm(v.opens_at)}–${v.closes_at < v.opens_at ? t('vendors.nextDay', { time: closes }) : closes}`
}

/** The 营业中 / 已打烊 tag: its text and tone; null (no tag) when the vendor gave no hours. */
export function openTag(isOpen: boolean | null | undefined): { text: string; open: boolean } | null {
  if (isOpen === null || isOpen === undefined) return null
  return isOpen ? { text: t('vendors.open'), open: true } : { text: t('vendors.closed'), open: false }
}
