/**
 * 缴费: the owner's bills per house and their payment history, over an API client passed in (the
 * pages share the instance in stores/session.ts; tests drive it with a scripted backend).
 *
 * Every amount is the server's decimal string, shown with `formatYuan`; totals are the server's too.
 * The app adds nothing up.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { AccruingLateFee, ChargeStatus, OwnerBillLine, OwnerHouse, OwnerHouseBills, OwnerPayment } from '@/api/types'
import { t } from '@/i18n'
import { isPositiveAmount } from '@/utils/money'

export type BillsApi = Pick<ApiClient, 'ownerBills' | 'ownerBillHistory'>
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : t('errors.generic'))

/* ---------------------------------------------------------------- views (pure) */

export type GroupKey = 'overdue' | 'due' | 'paid'
/** A line's chip: the charge's status, or `accruing` for a late fee not yet posted. */
export type LineStatus = ChargeStatus | 'accruing'

/** One row as the bills page shows it. */
export interface BillRow {
  /** Unique within a house: `c<charge id>` or `a<principal id>` for an accruing late fee. */
  key: string
  chargeId: number | null
  feeItemName: string
  kind: string
  /** "2026-09" for one calendar month, else "2026-09-01 至 2026-11-30"; empty for accruing fees. */
  period: string
  /** What the row asks for: outstanding while owing, the amount once paid (decimal string). */
  amount: string
  /** Partly paid lines: what was paid and the line's full amount. */
  paid: string | null
  total: string | null
  dueDate: string
  status: LineStatus
  explanation: string
  /** A late fee's bill (its principal): "物业费 2026-09 的滞纳金"; empty on other lines. */
  forBill: string
}

export interface BillGroup {
  key: GroupKey
  rows: BillRow[]
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isoDay(y: number, m: number, d: number): string {
  const p = (n: number) => (n < 10 ? `0${n}` : String(n))
  return `${y}-${p(m)}-${p(d)}`
}

/** Periods are half-open `[start, end)`: the day before `end` is the last one billed. */
export function lastDayOf(endExclusive: string): string {
  const m = ISO_DATE.exec(endExclusive)
  if (!m) return endExclusive
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) - 1))
  return isoDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

/** "2026-09-01".."2026-10-01" → "2026-09"; other ranges → "2026-09-01 至 2026-11-30". */
export function periodText(start: string, endExclusive: string): string {
  const s = ISO_DATE.exec(start)
  const e = ISO_DATE.exec(endExclusive)
  if (!s || !e) return [start, endExclusive].filter(Boolean).join(' – ')
  const sy = Number(s[1])
  const sm = Number(s[2])
  const next = sm === 12 ? isoDay(sy + 1, 1, 1) : isoDay(sy, sm + 1, 1)
  if (s[3] === '01' && endExclusive === next) return `${s[1]}-${s[2]}`
  const last = lastDayOf(endExclusive)
  return last === start ? start : t('bills.periodRange', { start, end: last })
}

function chargeRow(line: OwnerBillLine): BillRow {
  const owing = line.status !== 'paid'
  const partial = line.status === 'partial' || (line.status === 'overdue' && isPositiveAmount(line.paid))
  return {
    key: `c${line.id}`,
    chargeId: line.id,
    // A posted late fee carries its principal's fee item: name it as what it is.
    feeItemName: line.kind === 'late_fee' ? t('bills.lateFeeOf', { name: line.fee_item_name }) : line.fee_item_name,
    kind: line.kind,
    period: periodText(line.period_start, line.period_end),
    amount: owing ? line.outstanding : line.amount,
    paid: owing && partial ? line.paid : null,
    total: owing && partial ? line.amount : null,
    dueDate: line.due_date,
    status: line.status,
    explanation: line.explanation,
    forBill: line.principal ? forBillText(line.principal.fee_item_name, line.principal.period_start, line.principal.period_end) : '',
  }
}

/** Which bill a late fee is for: its principal's fee item and period, as the server names them. */
function forBillText(name: string, start: string, endExclusive: string): string {
  return t('bills.lateFeeFor', { name, period: periodText(start, endExclusive) })
}

function accruingRow(fee: AccruingLateFee): BillRow {
  return {
    key: `a${fee.principal}`,
    chargeId: null,
    feeItemName: t('bills.lateFeeOf', { name: fee.fee_item_name }),
    kind: 'late_fee',
    period: periodText(fee.period_start, fee.period_end),
    amount: fee.amount,
    paid: null,
    total: null,
    dueDate: '',
    status: 'accruing',
    explanation: fee.explanation,
    forBill: forBillText(fee.fee_item_name, fee.period_start, fee.period_end),
  }
}

/**
 * The bills page's groups, in the order an owner acts on them: 逾期 (each overdue line followed by
 * the late fee building up on it), 待缴, 已缴 (recent, newest first as the server sends them).
 * Empty groups are left out.
 */
export function billGroups(bills: OwnerHouseBills): BillGroup[] {
  const overdue: BillRow[] = []
  const accruingFor = new Map<number, AccruingLateFee[]>()
  for (const fee of bills.late_fees_accruing) {
    accruingFor.set(fee.principal, [...(accruingFor.get(fee.principal) ?? []), fee])
  }
  for (const line of bills.overdue) {
    overdue.push(chargeRow(line))
    for (const fee of accruingFor.get(line.id) ?? []) overdue.push(accruingRow(fee))
    accruingFor.delete(line.id)
  }
  // A late fee whose principal is not listed as overdue (should not happen): still shown.
  for (const fees of accruingFor.values()) for (const fee of fees) overdue.push(accruingRow(fee))
  const groups: BillGroup[] = [
    { key: 'overdue', rows: overdue },
    { key: 'due', rows: bills.due.map(chargeRow) },
    { key: 'paid', rows: bills.paid.map(chargeRow) },
  ]
  return groups.filter((g) => g.rows.length > 0)
}

/** Whether a house has anything to show: no lines at all is the "暂无账单" state. */
export function hasBills(bills: OwnerHouseBills | null | undefined): boolean {
  return !!bills && (bills.due.length + bills.overdue.length + bills.paid.length + bills.late_fees_accruing.length > 0)
}

/**
 * The house the page opens on: the one asked for if it is still the owner's, else the house the
 * owner pays for (from "my houses"), else the first.
 */
export function chooseHouse(
  bills: readonly OwnerHouseBills[],
  preferred: number | null | undefined,
  houses: readonly OwnerHouse[] | null | undefined,
): number | null {
  const ids = new Set(bills.map((b) => b.house))
  if (preferred != null && ids.has(preferred)) return preferred
  const payer = (houses ?? []).find((h) => h.is_primary_payer && ids.has(h.house))
  if (payer) return payer.house
  return bills[0]?.house ?? null
}

export function statusLabel(status: LineStatus): string {
  return t(`bills.status.${status}`)
}

/* ---------------------------------------------------------------- store */

export function createBillsStore(api: BillsApi) {
  const state = reactive({
    /** One entry per bound house (the server's answer), `null` until loaded. */
    houses: null as OwnerHouseBills[] | null,
    status: 'idle' as LoadStatus,
    error: '',
    /** The house shown (kept between the bills and history pages). */
    selected: null as number | null,
    /** The house the owner switched to, if they did (else the default is chosen). */
    picked: null as number | null,
    history: {
      house: null as number | null,
      items: [] as OwnerPayment[],
      count: 0,
      page: 0,
      hasMore: false,
      status: 'idle' as LoadStatus,
      loadingMore: false,
      error: '',
    },
  })

  // Bumped on reset and on each new history house: answers to older requests are dropped.
  let generation = 0
  let historyGeneration = 0

  /** Load every house's bills; `houses` (my houses) picks the default when none is selected. */
  async function load(houses?: readonly OwnerHouse[] | null): Promise<void> {
    const gen = generation
    if (state.houses === null) state.status = 'loading'
    try {
      const answer = await api.ownerBills()
      if (gen !== generation) return
      state.houses = answer
      state.selected = chooseHouse(answer, state.picked, houses)
      state.status = 'ready'
      state.error = ''
    } catch (err) {
      if (gen !== generation) return
      state.error = messageOf(err)
      if (state.houses === null) state.status = 'error'
    }
  }

  function select(house: number): void {
    state.picked = house
    state.selected = house
  }

  /** Re-pick the default house once "my houses" is known (the owner's own choice stands). */
  function choose(houses: readonly OwnerHouse[] | null | undefined): void {
    if (state.houses) state.selected = chooseHouse(state.houses, state.picked, houses)
  }

  function current(): OwnerHouseBills | null {
    return state.houses?.find((b) => b.house === state.selected) ?? null
  }

  /** The first page of a house's payments (or all houses' with `null`). */
  async function loadHistory(house: number | null): Promise<void> {
    const gen = ++historyGeneration
    const h = state.history
    if (h.house !== house || h.status !== 'ready') {
      h.items = []
      h.count = 0
      h.page = 0
      h.hasMore = false
      h.status = 'loading'
    }
    h.house = house
    try {
      const page = await api.ownerBillHistory(house, 1)
      if (gen !== historyGeneration) return
      h.items = [...page.results]
      h.count = page.count
      h.page = 1
      h.hasMore = !!page.next
      h.status = 'ready'
      h.error = ''
    } catch (err) {
      if (gen !== historyGeneration) return
      h.error = messageOf(err)
      if (h.page === 0) h.status = 'error'
    }
  }

  /** The next page, appended; a no-op while one loads or when there is none. */
  async function loadMoreHistory(): Promise<void> {
    const h = state.history
    if (h.status !== 'ready' || !h.hasMore || h.loadingMore) return
    const gen = historyGeneration
    h.loadingMore = true
    try {
      const page = await api.ownerBillHistory(h.house, h.page + 1)
      if (gen !== historyGeneration) return
      const seen = new Set(h.items.map((p) => p.id))
      // A payment made meanwhile shifts pages by one: skip what is already listed.
      h.items = [...h.items, ...page.results.filter((p) => !seen.has(p.id))]
      h.count = page.count
      h.page += 1
      h.hasMore = !!page.next
      h.error = ''
    } catch (err) {
      if (gen !== historyGeneration) return
      h.error = messageOf(err)
    } finally {
      if (gen === historyGeneration) h.loadingMore = false
    }
  }

  function reset(): void {
    generation++
    historyGeneration++
    state.houses = null
    state.status = 'idle'
    state.error = ''
    state.selected = null
    state.picked = null
    Object.assign(state.history, {
      house: null,
      items: [],
      count: 0,
      page: 0,
      hasMore: false,
      status: 'idle',
      loadingMore: false,
      error: '',
    })
  }

  return { state, load, select, choose, current, loadHistory, loadMoreHistory, reset }
}

export type BillsStore = ReturnType<typeof createBillsStore>
