/**
 * Fees (收费管理): fee items and their dated prices, assignments to houses (previewed first),
 * meters and readings with the reader's route, bill runs (出账), and the billing reports.
 *
 * Kept apart from `api/index.ts` like `api/basicData.ts`: only the lazy-loaded pages of the
 * section carry these endpoints.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type FeeKind = Schemas['FeeKindEnum']
export type ChargingMode = Schemas['ModeEnum']
export type CycleMonths = Schemas['CycleMonthsEnum']
export type Timing = Schemas['TimingEnum']
export type DueRule = Schemas['DueRuleEnum']
export type Rounding = Schemas['RoundingEnum']
export type RoundingPlace = Schemas['RoundingPlaceEnum']
export type ServiceFeeItem = Schemas['ServiceFeeItem']
export type TimeUnit = Schemas['TimeUnitEnum']
export type MeterKind = Schemas['MeterKindEnum']
export type Register = Schemas['RegisterEnum']
export type ReadingStatus = Schemas['ReadingStatusEnum']
export type SplitBy = Schemas['SplitByEnum']
export type ArrearsGroup = Schemas['GroupByEnum']
export type IncomeBy = Schemas['ByEnum']

export const FEE_KINDS: readonly FeeKind[] = [
  'property',
  'water',
  'electricity',
  'gas',
  'heating',
  'parking',
  'garbage',
  'shared',
  'rent',
  'deposit',
  'one_off',
  'other',
]
export const CHARGING_MODES: readonly ChargingMode[] = [
  'building_area',
  'usable_area',
  'fixed',
  'count',
  'time',
  'meter',
  'shared_meter',
  'usage',
  'formula',
]
export const CYCLES: readonly CycleMonths[] = [1, 3, 6, 12, 0]
export const TIMINGS: readonly Timing[] = ['prepaid', 'postpaid']
export const DUE_RULES: readonly DueRule[] = ['days_after_issue', 'day_of_month']
export const ROUNDINGS: readonly Rounding[] = ['half_up', 'up', 'down']
export const ROUNDING_PLACES: readonly RoundingPlace[] = ['fen', 'jiao', 'yuan']
export const TIME_UNITS: readonly TimeUnit[] = ['month', 'day']
export const METER_KINDS: readonly MeterKind[] = ['water', 'electricity', 'gas', 'heat']
export const READING_STATUSES: readonly ReadingStatus[] = ['held', 'ok', 'approved', 'rejected']
export const SPLIT_BYS: readonly SplitBy[] = ['area', 'count']
/** The strategies of billing/late_fees.py (a company-specific one shows by its key). */
export const LATE_FEE_STRATEGIES = ['none', 'daily_rate', 'monthly_rate', 'fixed'] as const
export type LateFeeStrategy = (typeof LATE_FEE_STRATEGIES)[number]

export type FeeItem = Schemas['FeeItem']
export type FeeItemWrite = Schemas['FeeItemRequest']
export type PriceWrite = Schemas['PriceInputRequest']
export type Price = Schemas['Price']
export type NewPrice = Schemas['NewPriceRequest']
export type FormulaCheck = Schemas['FormulaCheck']
export type FeeAssignment = Schemas['FeeAssignment']
export type AssignWrite = Schemas['AssignRequest']
export type AssignResult = Schemas['AssignmentResult']
export type AssignPreview = Schemas['AssignmentPreview']
export type Meter = Schemas['Meter']
export type MeterWrite = Schemas['MeterRequest']
export type MeterReading = Schemas['MeterReading']
export type MeterRoute = Schemas['Route']
export type RouteMeter = Schemas['RouteMeter']
export type ArrearsLine = Schemas['ArrearsLine']
export type ArrearsTotals = Schemas['ArrearsTotals']
export type CollectionReport = Schemas['CollectionReport']
export type CollectionLine = Schemas['Collection']
export type Income = Schemas['Income']
export type BillRun = Schemas['BillRun']
export type BillRunStatus = Schemas['BillRunStatusEnum']
export type BillRunCreate = Schemas['BillRunCreateRequest']
export type BillRunPreview = Schemas['BillRunPreview']
export type BillRunPreviewItem = Schemas['BillRunPreviewItem']
export type BillRunResult = Schemas['BillRunResult']

const V1 = '/api/v1'

export const ENDPOINTS = {
  feeItems: `${V1}/fee-items/`,
  assignments: `${V1}/fee-assignments/`,
  meters: `${V1}/meters/`,
  readings: `${V1}/meter-readings/`,
  arrears: `${V1}/billing/arrears/`,
  billRuns: `${V1}/bill-runs/`,
} as const satisfies Record<string, ApiPath>

/**
 * The active one-off items a paid repair or a paid activity is charged under: readable by those
 * who configure repairs and activities, not only by the cashiers.
 */
export const serviceFeeItemsApi = {
  list: () => api.get('/api/v1/service-fee-items/'),
}

export const feeItemsApi = {
  /** Every item (a company has tens, not thousands): for pickers. */
  all: () => api.get('/api/v1/fee-items/', { query: { page_size: 200, ordering: 'name' } }),
  create: (body: FeeItemWrite) => api.post('/api/v1/fee-items/', body),
  update: (id: number, body: Schemas['PatchedFeeItemRequest']) =>
    api.patch('/api/v1/fee-items/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/fee-items/{id}/', { path: { id } }),
  deactivate: (id: number) =>
    api.post('/api/v1/fee-items/{id}/deactivate/', undefined, { path: { id } }),
  prices: (id: number) => api.get('/api/v1/fee-items/{id}/prices/', { path: { id } }),
  addPrice: (id: number, body: NewPrice) =>
    api.post('/api/v1/fee-items/{id}/prices/', body, { path: { id } }),
  checkFormula: (formula: string, signal?: AbortSignal) =>
    api.post('/api/v1/fee-items/check-formula/', { formula }, { signal }),
}

export const assignmentsApi = {
  preview: (body: AssignWrite) => api.post('/api/v1/fee-assignments/preview/', body),
  assign: (body: AssignWrite) => api.post('/api/v1/fee-assignments/', body),
  end: (id: number, end: string) =>
    api.post('/api/v1/fee-assignments/{id}/end/', { end }, { path: { id } }),
  changeQuantity: (id: number, quantity: string, fromDate: string) =>
    api.post(
      '/api/v1/fee-assignments/{id}/change-quantity/',
      { quantity, from_date: fromDate },
      { path: { id } },
    ),
}

export const metersApi = {
  create: (body: MeterWrite) => api.post('/api/v1/meters/', body),
  update: (id: number, body: Schemas['PatchedMeterRequest']) =>
    api.patch('/api/v1/meters/{id}/', body, { path: { id } }),
  deactivate: (id: number) =>
    api.post('/api/v1/meters/{id}/deactivate/', undefined, { path: { id } }),
  route: (query: { estate?: number; building?: number; kind?: MeterKind }) =>
    api.get('/api/v1/meter-route/', { query }),
}

export const readingsApi = {
  record: (body: Schemas['MeterReadingRequest']) => api.post('/api/v1/meter-readings/', body),
  approve: (id: number) =>
    api.post('/api/v1/meter-readings/{id}/approve/', undefined, { path: { id } }),
  reject: (id: number, reason: string) =>
    api.post('/api/v1/meter-readings/{id}/reject/', { reason }, { path: { id } }),
}

export const reportsApi = {
  arrearsSummary: (query: { estate?: number; building?: number; group_by?: ArrearsGroup }) =>
    api.get('/api/v1/billing/arrears/summary/', { query }),
  /** 催缴提醒: the selected houses, else the filter's; answered with the job to poll. */
  sendReminders: (body: Schemas['ArrearsReminderRequest']) =>
    api.post('/api/v1/billing/arrears/reminders/', body),
  collection: (query: { months?: number; estate?: number }) =>
    api.get('/api/v1/billing/collection-rate/', { query }),
  income: (query: { date_from?: string; date_to?: string; estate?: number; by?: IncomeBy }) =>
    api.get('/api/v1/billing/income/', { query }),
}

/** 出账: a run is previewed when created; start issues it in the background (poll its job). */
export const billRunsApi = {
  create: (body: BillRunCreate) => api.post('/api/v1/bill-runs/', body),
  get: (id: number) => api.get('/api/v1/bill-runs/{id}/', { path: { id } }),
  start: (id: number) => api.post('/api/v1/bill-runs/{id}/start/', undefined, { path: { id } }),
  cancel: (id: number) => api.post('/api/v1/bill-runs/{id}/cancel/', undefined, { path: { id } }),
}
