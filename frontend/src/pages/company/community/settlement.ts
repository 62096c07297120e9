import { sumAmounts } from '@/utils/money'

/** The money columns of a settlement row (decimal strings). */
export interface SettlementMoney {
  orders: number
  amount: string
  refunded: string
  commission: string
  payable: string
}

/** This month in Asia/Shanghai, `YYYY-MM` (the server's months are the company's local ones). */
export function thisMonth(now: Date = new Date(), timeZone = 'Asia/Shanghai'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}`
}

/** The totals row of a settlement: counts added, amounts added in whole fen (never floats). */
export function settlementTotals(rows: readonly SettlementMoney[]): SettlementMoney {
  return {
    orders: rows.reduce((n, r) => n + r.orders, 0),
    amount: sumAmounts(rows.map((r) => r.amount)),
    refunded: sumAmounts(rows.map((r) => r.refunded)),
    commission: sumAmounts(rows.map((r) => r.commission)),
    payable: sumAmounts(rows.map((r) => r.payable)),
  }
}
