/**
 * Display helpers. Money arrives from the API as decimal strings ("1234.50") and is formatted
 * with integer arithmetic on the digits: a float would turn 0.1 + 0.2 into 0.30000000000000004.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * `formatYuan('1234.5')` → `'¥1,234.50'`; rounds half away from zero to the fen.
 * Returns `'—'` for empty or malformed input rather than guessing.
 */
export function formatYuan(amount: string | number | null | undefined, symbol = '¥'): string {
  if (amount === null || amount === undefined) return '—'
  // Numbers are accepted for convenience (e.g. integer counts) but go through their string form.
  const text = String(amount).trim()
  const match = DECIMAL.exec(text)
  if (!text || !match || (match[2] === '' && (match[3] ?? '') === '')) return '—'
  const negative = match[1] === '-'
  const intPart = match[2] || '0'
  const fraction = (match[3] ?? '').padEnd(3, '0')
  // Cents as a BigInt: integer part * 100 + first two fraction digits, then round on the third.
  let cents = BigInt(intPart) * 100n + BigInt(fraction.slice(0, 2))
  if (Number(fraction[2]) >= 5) cents += 1n
  const yuan = (cents / 100n).toString()
  const fen = (cents % 100n).toString().padStart(2, '0')
  const sign = negative && cents !== 0n ? '-' : ''
  return `${sign}${symbol}${groupThousands(yuan)}.${fen}`
}

/** `'13812345678'` → `'138****5678'`; an already masked or short value is returned as is. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return ''
  const digits = phone.replace(/\s+/g, '')
  if (!/^\+?\d{7,}$/.test(digits)) return phone
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

/** ISO timestamp → local wall time in Asia/Shanghai, `2026-01-02 08:30`. */
export function formatDateTime(iso: string | null | undefined, timeZone = 'Asia/Shanghai'): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  let format = dateTimeFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    dateTimeFormats.set(timeZone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}
