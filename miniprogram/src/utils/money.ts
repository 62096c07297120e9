/**
 * Money as the server sends it: decimal strings in yuan ("1234.50", "-3.00"). Display only — the
 * app never adds, subtracts or multiplies amounts (totals come from the server), and nothing here
 * goes through a JS number, so "0.1" + "0.2" style float errors cannot reach the screen.
 */

interface ParsedAmount {
  negative: boolean
  /** Integer yuan digits without leading zeros ("0" for none). */
  yuan: string
  /** Exactly two fen digits. */
  fen: string
}

const AMOUNT = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/

/** Add one to a string of decimal digits ("199" → "200"). */
function incrementDigits(digits: string): string {
  const out = digits.split('')
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== '9') {
      out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1)
      return out.join('')
    }
    out[i] = '0'
  }
  return `1${out.join('')}`
}

/**
 * "1234.5" → {yuan: "1234", fen: "50"}. More than two decimals (never from the server, which keeps
 * two) are rounded half up on the digits. `null` for anything that is not a plain decimal.
 */
export function parseAmount(value: string | number | null | undefined): ParsedAmount | null {
  if (value === null || value === undefined) return null
  // A number can only come from code that already went through floating point; show it as written.
  const m = AMOUNT.exec(typeof value === 'number' ? String(value) : value)
  if (!m) return null
  const [, sign, whole = '', frac = ''] = m
  if (whole === '' && frac === '') return null
  let digits = (whole.replace(/^0+/, '') || '0') + (frac + '00').slice(0, 2)
  if (frac.length > 2 && frac.charCodeAt(2) >= 53 /* '5' */) digits = incrementDigits(digits)
  const yuan = digits.slice(0, -2).replace(/^0+/, '') || '0'
  const fen = digits.slice(-2)
  const negative = sign === '-' && (yuan !== '0' || fen !== '00')
  return { negative, yuan, fen }
}

/** "1234.5" → "¥1,234.50"; "-3" → "-¥3.00"; unparseable → "" (never a made-up figure). */
export function formatYuan(value: string | number | null | undefined): string {
  const a = parseAmount(value)
  if (!a) return ''
  const grouped = a.yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${a.negative ? '-' : ''}¥${grouped}.${a.fen}`
}

/** Whether an amount string is zero ("0.00", "-0", ""): to hide "of which overdue ¥0.00" rows. */
export function isZeroAmount(value: string | null | undefined): boolean {
  const a = parseAmount(value)
  return !a || (a.yuan === '0' && a.fen === '00')
}

/** Whether an amount string is above zero. */
export function isPositiveAmount(value: string | null | undefined): boolean {
  const a = parseAmount(value)
  return !!a && !a.negative && !(a.yuan === '0' && a.fen === '00')
}
