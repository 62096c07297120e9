/**
 * The ledger's money side (收费管理 → 收银台, 账单, 收款记录/收据, 审批, 押金/预存): the cash desk
 * (search, a house's dues, pay, top up), charges, payments and receipts, waivers and refunds,
 * deposits, prepaid balances and cashier shifts. Lazy-loaded with the pages that use it.
 *
 * Amounts are decimal strings both ways ("89.50"); compute with `utils/money` (integer fen).
 */
import { api, type ApiPath, type Schemas } from './contract'

export type FoundHouse = Schemas['FoundHouse']
export type DeskDetail = Schemas['DeskDetail']
export type DeskHouse = Schemas['DeskHouse']
export type DueLine = Schemas['DueLine']
export type AccruedLateFee = Schemas['AccruedLateFee']
export type Payment = Schemas['Payment']
export type PaymentResult = Schemas['PaymentResult']
export type PayWrite = Schemas['PayRequest']
export type TopUpWrite = Schemas['TopUpRequest']
export type OfflineMethod = Schemas['OfflineMethodEnum']
export type PaymentMethod = Schemas['PaymentMethodEnum']
export type Charge = Schemas['Charge']
export type ChargeStatus = Schemas['ChargeStatusEnum']
export type Receipt = Schemas['Receipt']
export type Waiver = Schemas['Waiver']
export type WaiverKind = Schemas['WaiverKindEnum']
export type WaiverWrite = Schemas['WaiverRequestRequest']
export type Refund = Schemas['Refund']
export type RefundWrite = Schemas['RefundRequestRequest']
export type RefundMethod = Schemas['RefundMethodEnum']
export type RefundSource = Schemas['RefundSourceEnum']
export type RequestStatus = Schemas['RequestStatusEnum']
export type Deposit = Schemas['Deposit']
export type DepositWrite = Schemas['DepositReceiveRequest']
export type Balance = Schemas['Balance']
export type BalanceEntry = Schemas['BalanceEntry']
export type CashierShift = Schemas['CashierShift']

/**
 * The shift's summary (billing/services/shifts.py shift_summary; the document types it `unknown`
 * because it is a JSON field): live while open, frozen with the count once closed.
 */
export interface ShiftSummary {
  by_method: { method: PaymentMethod; count: number; total: string }[]
  /** Cash out of the drawer during the shift: the cashier's approved cash refunds, voided cash receipts. */
  cash_refunded?: string
  cash_voided?: string
  expected_cash: string
  counted_cash?: string
  difference?: string
}

export const OFFLINE_METHODS: readonly OfflineMethod[] = ['cash', 'pos', 'transfer', 'cheque']
export const PAYMENT_METHODS: readonly PaymentMethod[] = [
  'cash',
  'pos',
  'transfer',
  'cheque',
  'wechat',
  'card',
  'balance',
  'deposit',
]
export const CHARGE_STATUSES: readonly ChargeStatus[] = ['unpaid', 'partial', 'overdue', 'paid']
export const WAIVER_KINDS: readonly WaiverKind[] = [
  'reduction',
  'late_fee',
  'vacancy',
  'correction',
]
export const REFUND_METHODS: readonly RefundMethod[] = [
  'original',
  'cash',
  'transfer',
  'pos',
  'cheque',
]
export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'approved', 'rejected']

const V1 = '/api/v1'

/** List endpoints (DataTable loads and exports them with its filters). */
export const LEDGER_ENDPOINTS = {
  charges: `${V1}/charges/`,
  payments: `${V1}/payments/`,
  receipts: `${V1}/receipts/`,
  waivers: `${V1}/waivers/`,
  refunds: `${V1}/refunds/`,
  deposits: `${V1}/deposits/`,
  balances: `${V1}/balances/`,
  shifts: `${V1}/cashier-shifts/`,
} as const satisfies Record<string, ApiPath>

/**
 * The receipt as a PDF. The API authenticates this GET by the session cookie (no CSRF on a
 * GET), so a plain navigation in a new tab carries it: the browser shows and prints the PDF.
 */
export function receiptPdfUrl(id: number): string {
  return `${V1}/receipts/${id}/pdf/`
}

/** Opens the PDF in a new tab; false when the browser blocked it. */
export function openReceiptPdf(id: number): boolean {
  // Not the 'noopener' feature: with it window.open answers null, so a block could not be told.
  const opened = window.open(receiptPdfUrl(id), '_blank')
  if (!opened) return false
  opened.opener = null
  return true
}

export const cashDeskApi = {
  search: (q: string, signal?: AbortSignal) =>
    api.get('/api/v1/cashdesk/search/', { query: { q }, signal }),
  house: (id: number, signal?: AbortSignal) =>
    api.get('/api/v1/cashdesk/houses/{id}/', { path: { id }, signal }),
  pay: (id: number, body: PayWrite) =>
    api.post('/api/v1/cashdesk/houses/{id}/pay/', body, { path: { id } }),
  topUp: (id: number, body: TopUpWrite) =>
    api.post('/api/v1/cashdesk/houses/{id}/top-up/', body, { path: { id } }),
}

export const shiftsApi = {
  /** The caller's open shift, or null (the API answers 404 when there is none). */
  async current(): Promise<CashierShift | null> {
    try {
      return await api.get('/api/v1/cashier-shifts/current/', { handleErrorsLocally: true })
    } catch (error) {
      if (error && typeof error === 'object' && 'status' in error && error.status === 404) {
        return null
      }
      throw error
    }
  },
  open: (openingFloat: string) =>
    api.post('/api/v1/cashier-shifts/', { opening_float: openingFloat }),
  close: (id: number, countedCash: string, note: string) =>
    api.post(
      '/api/v1/cashier-shifts/{id}/close/',
      { counted_cash: countedCash, note },
      { path: { id } },
    ),
}

export const paymentsApi = {
  get: (id: number) => api.get('/api/v1/payments/{id}/', { path: { id } }),
}

/*
 * Voiding and deciding answer 403 for a rule of the ledger (another cashier's receipt, one's own
 * request): the dialog shows the server's sentence, so the global 403 toast is not wanted too.
 */
const LOCAL = { handleErrorsLocally: true } as const

export const receiptsApi = {
  void: (id: number, reason: string) =>
    api.post('/api/v1/receipts/{id}/void/', { reason }, { path: { id }, ...LOCAL }),
}

export const waiversApi = {
  request: (body: WaiverWrite) => api.post('/api/v1/waivers/', body),
  approve: (id: number, note: string) =>
    api.post('/api/v1/waivers/{id}/approve/', { note }, { path: { id }, ...LOCAL }),
  reject: (id: number, note: string) =>
    api.post('/api/v1/waivers/{id}/reject/', { note }, { path: { id }, ...LOCAL }),
}

export const refundsApi = {
  request: (body: RefundWrite) => api.post('/api/v1/refunds/', body),
  approve: (id: number, note: string) =>
    api.post('/api/v1/refunds/{id}/approve/', { note }, { path: { id }, ...LOCAL }),
  reject: (id: number, note: string) =>
    api.post('/api/v1/refunds/{id}/reject/', { note }, { path: { id }, ...LOCAL }),
  /** An approved refund whose channel refund failed: ask the channel again. */
  retryChannel: (id: number) =>
    api.post('/api/v1/refunds/{id}/retry-channel/', undefined, { path: { id }, ...LOCAL }),
  /** Approved refunds the channel failed to pay: what waits for cash at the desk, oldest first. */
  awaitingCash: () =>
    api.get('/api/v1/refunds/', {
      query: { payout_status: 'refund_failed', ordering: 'created_at', page_size: 50 },
      ...LOCAL,
    }),
  /** A refund the channel failed to pay, paid out in cash at the desk instead (fees.collect). */
  payCash: (id: number, confirmAmount: string) =>
    api.post(
      '/api/v1/refunds/{id}/pay-cash/',
      { confirm_amount: confirmAmount },
      { path: { id }, ...LOCAL },
    ),
}

export const depositsApi = {
  receive: (body: DepositWrite) => api.post('/api/v1/deposits/', body),
  apply: (id: number, amount: string) =>
    api.post('/api/v1/deposits/{id}/apply/', { amount }, { path: { id } }),
}

export const balancesApi = {
  entries: (houseId: number, page = 1) =>
    api.get('/api/v1/balances/{house_id}/entries/', {
      path: { house_id: houseId },
      query: { page, page_size: 50 },
    }),
}
