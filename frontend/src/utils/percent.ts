/**
 * Commission rates: entered as a percent with up to two decimals ("5", "8.25"), sent and stored as
 * a fraction with four places ("0.0500", "0.0825"). Converted on the digits, never through floats.
 */

const PERCENT = /^(\d{1,2})(?:\.(\d{1,2}))?$/

/** "8.25" → "0.0825"; null for anything that is not 0–99.99 with at most two decimals. */
export function percentToFraction(percent: string): string | null {
  const match = PERCENT.exec(percent.trim())
  if (!match) return null
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
  return `0.${String(basisPoints).padStart(4, '0')}`
}

/** "0.0825" → "8.25", "0.0500" → "5"; '' for a value that is not a fraction below 1. */
export function fractionToPercent(fraction: string | null | undefined): string {
  const match = /^0?\.(\d{1,4})$|^0$/.exec((fraction ?? '').trim())
  if (!match) return ''
  const basisPoints = Number((match[1] ?? '').padEnd(4, '0') || '0')
  const whole = Math.floor(basisPoints / 100)
  const cents = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '')
  return cents ? `${whole}.${cents}` : String(whole)
}
