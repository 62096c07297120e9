/**
 * Money at the cash desk, in integer fen. The API speaks decimal strings ("123.45"); sums, change
 * and comparisons here are done on whole fen (BigInt), never on floating point, where
 * 0.1 + 0.2 is not 0.3.
 */

const AMOUNT = /^([+-]?)(\d*)(?:\.(\d*))?$/

/**
 * `"123.45"` → `12345n`, `"0.5"` → `50n`, `"-3"` → `-300n`, `"1,234.5"` → `123450n`.
 * Null for empty or malformed input and for more than two decimal places (an amount a cashier
 * types with three decimals is a typo, not something to round quietly).
 */
export function parseFen(text: string | number | null | undefined): bigint | null {
  if (text === null || text === undefined) return null
  const trimmed = String(text).trim().replace(/,/g, '')
  const match = AMOUNT.exec(trimmed)
  if (!match) return null
  const [, sign, whole, fraction = ''] = match
  if (whole === '' && fraction === '') return null
  if (fraction.length > 2) {
    // "12.300" is still 12.30; "12.345" is not an amount in fen.
    if (/[^0]/.test(fraction.slice(2))) return null
  }
  const fen = BigInt(whole || '0') * 100n + BigInt((fraction.slice(0, 2) || '0').padEnd(2, '0'))
  return sign === '-' ? -fen : fen
}

/** `12345n` → `"123.45"`, `-5n` → `"-0.05"`: the API's decimal string. */
export function fenToString(fen: bigint): string {
  const negative = fen < 0n
  const abs = negative ? -fen : fen
  const yuan = (abs / 100n).toString()
  const cents = (abs % 100n).toString().padStart(2, '0')
  return `${negative ? '-' : ''}${yuan}.${cents}`
}

/** The sum of decimal strings, as a decimal string (malformed parts count as zero). */
export function sumAmounts(amounts: readonly (string | null | undefined)[]): string {
  return fenToString(amounts.reduce((total, a) => total + (parseFen(a) ?? 0n), 0n))
}

/** Normalise what a cashier typed ("12.5" → "12.50"); null when it is not an amount. */
export function normaliseAmount(text: string | null | undefined): string | null {
  const fen = parseFen(text)
  return fen === null ? null : fenToString(fen)
}

export type ChangeResult =
  { ok: true; change: string } | { ok: false; reason: 'invalid' | 'short'; short?: string }

/**
 * Cash change: what was handed over minus what is taken. `short` (with the missing amount) when
 * the cash does not cover it; `invalid` when either is not an amount.
 */
export function computeChange(
  amount: string | null | undefined,
  tendered: string | null | undefined,
): ChangeResult {
  const due = parseFen(amount)
  const given = parseFen(tendered)
  if (due === null || given === null || due <= 0n || given < 0n) {
    return { ok: false, reason: 'invalid' }
  }
  if (given < due) return { ok: false, reason: 'short', short: fenToString(due - given) }
  return { ok: true, change: fenToString(given - due) }
}

/** How an amount taken relates to what the chosen lines owe. */
export type AmountSplit =
  | { kind: 'invalid' }
  | { kind: 'exact' }
  | { kind: 'partial'; left: string }
  | { kind: 'excess'; toBalance: string }

export function splitAmount(amount: string | null | undefined, owing: string): AmountSplit {
  const paid = parseFen(amount)
  const due = parseFen(owing) ?? 0n
  if (paid === null || paid <= 0n) return { kind: 'invalid' }
  if (paid === due) return { kind: 'exact' }
  if (paid < due) return { kind: 'partial', left: fenToString(due - paid) }
  return { kind: 'excess', toBalance: fenToString(paid - due) }
}
