/**
 * The cash desk's arithmetic, kept out of the components so it is tested on its own: what the
 * chosen lines owe, which charge ids a payment names, and what a payment body carries. Amounts in
 * integer fen (utils/money), never floating point.
 */
import { ApiError } from '@/api/http'
import type { DeskDetail, OfflineMethod, PayWrite } from '@/api/ledger'
import { computeChange, fenToString, normaliseAmount, parseFen, sumAmounts } from '@/utils/money'

export interface Selection {
  /** Every posted line chosen: the server pays oldest first, late fees to be posted included. */
  all: boolean
  /** The chosen lines in the desk's order (oldest due first); empty when `all`. */
  chargeIds: number[]
  /** What the chosen lines owe (with the late fees to be posted when `all`). */
  owing: string
  count: number
}

export function selectionOf(detail: DeskDetail, chosen: ReadonlySet<number>): Selection {
  const lines = detail.lines.filter((line) => chosen.has(line.charge))
  const all = detail.lines.length > 0 && lines.length === detail.lines.length
  if (all || detail.lines.length === 0) {
    // total_due = posted lines + late fees accrued; the server posts and pays them oldest first.
    return {
      all: true,
      chargeIds: [],
      owing: normaliseAmount(detail.total_due) ?? '0.00',
      count: detail.lines.length + detail.late_fees_to_post.length,
    }
  }
  return {
    all: false,
    chargeIds: lines.map((line) => line.charge),
    owing: sumAmounts(lines.map((line) => line.outstanding)),
    count: lines.length,
  }
}

export interface PayForm {
  amount: string
  method: OfflineMethod
  tendered: string
  payerName: string
  reference: string
  note: string
}

/** The body of POST /cashdesk/houses/{id}/pay/ (without the key, which the attempt adds). */
export function payBody(form: PayForm, selection: Selection): Omit<PayWrite, 'idempotency_key'> {
  const body: Omit<PayWrite, 'idempotency_key'> = {
    amount: normaliseAmount(form.amount) ?? form.amount.trim(),
    method: form.method,
    payer_name: form.payerName.trim(),
    reference: form.reference.trim(),
    note: form.note.trim(),
  }
  if (!selection.all) body.charge_ids = selection.chargeIds
  // 实收 only for cash, and only when typed: the server computes the change from it.
  if (form.method === 'cash' && form.tendered.trim()) {
    body.tendered = normaliseAmount(form.tendered) ?? form.tendered.trim()
  }
  return body
}

/** The change to show while the cashier types (null: nothing to show yet). */
export function liveChange(form: Pick<PayForm, 'amount' | 'method' | 'tendered'>) {
  if (form.method !== 'cash' || !form.tendered.trim()) return null
  return computeChange(form.amount, form.tendered)
}

/** A validator for el-form: a positive amount to the fen. */
export function amountError(
  value: string,
  messages: { invalid: string; positive: string },
  allowZero = false,
): string | null {
  const fen = parseFen(value)
  if (fen === null) return messages.invalid
  if (fen < 0n || (!allowZero && fen === 0n)) return messages.positive
  return null
}

/** counted − expected: positive is cash over (长款), negative short (短款). */
export function cashDifference(counted: string, expected: string): string | null {
  const c = parseFen(counted)
  const e = parseFen(expected)
  if (c === null || e === null) return null
  return fenToString(c - e)
}

/**
 * Whether a failed payment may have been taken: no answer, or the server failed while handling
 * it. The attempt keeps its key, so sending again cannot charge twice.
 */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500)
}
