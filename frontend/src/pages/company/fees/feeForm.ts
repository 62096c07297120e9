/**
 * The fee item form: which fields a charging mode shows, the tiers editor's checks, and the
 * conversions between the form and the API (amounts stay decimal strings all the way: never floats).
 *
 * The form's shape follows the server's field names so that a 400's field errors land on the right
 * inputs: `price.unit_price`, `price.tiers`, `late_fee.rate`…
 */
import type {
  ChargingMode,
  CycleMonths,
  DueRule,
  FeeItem,
  FeeItemWrite,
  FeeKind,
  MeterKind,
  PriceWrite,
  Rounding,
  RoundingPlace,
  Timing,
  TimeUnit,
} from '@/api/fees'

/** What a mode shows in the price section and around it. */
export interface ModeFields {
  /** A unit price input (4 places). */
  unitPrice: boolean
  /** Tiers may replace the unit price (阶梯价). */
  tiers: boolean
  /** Peak/valley prices of a time-of-use electricity meter. */
  registerPrices: boolean
  /** A formula with its live check. */
  formula: boolean
  /** The meter kind the usage is read from. */
  meterKind: boolean
  /** Per month or per day. */
  timeUnit: boolean
}

const FLAT: ModeFields = {
  unitPrice: true,
  tiers: false,
  registerPrices: false,
  formula: false,
  meterKind: false,
  timeUnit: false,
}

/** Mirrors billing/services/fees.py: UNIT_PRICE_MODES, TIERED_MODES, METER_MODES, FORMULA. */
export const MODE_FIELDS: Record<ChargingMode, ModeFields> = {
  building_area: FLAT,
  usable_area: FLAT,
  fixed: FLAT,
  count: FLAT,
  time: { ...FLAT, timeUnit: true },
  meter: { ...FLAT, tiers: true, registerPrices: true, meterKind: true },
  shared_meter: { ...FLAT, meterKind: true },
  usage: { ...FLAT, tiers: true },
  // The unit price is optional there: needed only when the formula uses 单价.
  formula: { ...FLAT, formula: true },
}

/** The modes whose price may be tiered. */
export const CHARGING_MODES_WITH_TIERS = (Object.keys(MODE_FIELDS) as ChargingMode[]).filter(
  (mode) => MODE_FIELDS[mode].tiers,
)

export function modeFields(mode: ChargingMode | '' | undefined): ModeFields {
  return (mode && MODE_FIELDS[mode]) || FLAT
}

/** The formula's variables (billing/formulas.py FORMULA_VARIABLES); labels in `fees.formulaVariables`. */
export const FORMULA_VARIABLES = [
  'building_area',
  'usable_area',
  'floor',
  'coefficient',
  'usage',
  'months',
  'unit_price',
  'count',
  'days',
] as const

/** The kind a new item of this fee kind most likely reads (water fee → water meter). */
export const METER_KIND_OF: Partial<Record<FeeKind, MeterKind>> = {
  water: 'water',
  electricity: 'electricity',
  gas: 'gas',
  heating: 'heat',
}

// --- decimals as text ---------------------------------------------------------------------------

const DECIMAL_TEXT = /^\d+(?:\.(\d+))?$/

/** A non-negative decimal typed by a user, or null: `' 1.50 '` → `'1.50'`. */
export function cleanDecimal(text: string | null | undefined): string | null {
  const value = (text ?? '').trim()
  return DECIMAL_TEXT.test(value) ? value : null
}

export function decimalPlaces(text: string): number {
  return DECIMAL_TEXT.exec(text)?.[1]?.length ?? 0
}

/** Compares two non-negative decimal strings exactly (no float): -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const places = Math.max(decimalPlaces(a), decimalPlaces(b))
  const scaled = (text: string) => {
    const [whole, fraction = ''] = text.split('.')
    return BigInt(whole + fraction.padEnd(places, '0'))
  }
  const x = scaled(a)
  const y = scaled(b)
  return x === y ? 0 : x < y ? -1 : 1
}

export function isZero(text: string): boolean {
  return /^0*(?:\.0*)?$/.test(text)
}

// --- tiers --------------------------------------------------------------------------------------

/** One row of the tiers editor; the last row has no upper bound (不封顶). */
export interface TierRow {
  upper: string
  price: string
}

export const MAX_TIERS = 20

export type TierProblem =
  | { code: 'empty' | 'tooMany' }
  | { code: 'required' | 'invalid'; row: number; field: 'upper' | 'price' }
  | { code: 'places'; row: number; field: 'upper' | 'price'; places: number }
  | { code: 'positive' | 'ascending'; row: number; field: 'upper' }

/**
 * The editor's checks, the same as the server's (billing/money.py validate_tiers and the 2/4-place
 * limits of the API): rows numbered from 1; the last row's bound is ignored (it is unbounded).
 */
export function tierProblems(rows: readonly TierRow[]): TierProblem[] {
  if (!rows.length) return [{ code: 'empty' }]
  if (rows.length > MAX_TIERS) return [{ code: 'tooMany' }]
  const problems: TierProblem[] = []
  let previous: string | null = null
  rows.forEach((tier, index) => {
    const row = index + 1
    const last = row === rows.length
    const price = tier.price.trim()
    if (!price) problems.push({ code: 'required', row, field: 'price' })
    else if (cleanDecimal(price) === null) problems.push({ code: 'invalid', row, field: 'price' })
    else if (decimalPlaces(price) > 4)
      problems.push({ code: 'places', row, field: 'price', places: 4 })
    if (last) return
    const upper = tier.upper.trim()
    if (!upper) {
      problems.push({ code: 'required', row, field: 'upper' })
      return
    }
    if (cleanDecimal(upper) === null) {
      problems.push({ code: 'invalid', row, field: 'upper' })
      return
    }
    if (decimalPlaces(upper) > 2) {
      problems.push({ code: 'places', row, field: 'upper', places: 2 })
      return
    }
    if (isZero(upper)) problems.push({ code: 'positive', row, field: 'upper' })
    else if (previous !== null && compareDecimal(upper, previous) <= 0)
      problems.push({ code: 'ascending', row, field: 'upper' })
    previous = upper
  })
  return problems
}

/** Rows → the API's `[[upper or null, price], …]`, the last one unbounded. */
export function tiersToApi(rows: readonly TierRow[]): (string | null)[][] {
  return rows.map((row, index) => [
    index === rows.length - 1 ? null : row.upper.trim(),
    row.price.trim(),
  ])
}

/** Stored tiers (JSON, untyped in the document) → rows. */
export function tiersFromApi(stored: unknown): TierRow[] {
  if (!Array.isArray(stored)) return []
  return stored
    .filter((tier): tier is unknown[] => Array.isArray(tier) && tier.length === 2)
    .map(([upper, price]) => ({
      upper: upper === null || upper === undefined ? '' : String(upper),
      price: String(price ?? ''),
    }))
}

// --- the form -----------------------------------------------------------------------------------

export interface LateFeeForm {
  strategy: string
  rate: string
  amount: string
  grace_days: number
  cap_rate: string
  cap_amount: string
}

export interface PriceForm {
  unit_price: string
  fixed_extra: string
  /** Meter/usage modes: one price or tiers. */
  tiered: boolean
  tiers: TierRow[]
  time_of_use: boolean
  register_prices: { peak: string; valley: string }
  formula: string
}

export interface FeeItemForm {
  name: string
  kind: FeeKind
  mode: ChargingMode
  cycle_months: CycleMonths
  timing: Timing
  due_rule: DueRule
  due_value: number
  rounding: Rounding
  rounding_place: RoundingPlace
  time_unit: TimeUnit
  meter_kind: MeterKind | ''
  valid_from: string
  valid_until: string
  balance_may_pay: boolean
  payable_online: boolean
  active: boolean
  late_fee: LateFeeForm
  price: PriceForm
}

export function emptyTiers(): TierRow[] {
  return [
    { upper: '', price: '' },
    { upper: '', price: '' },
  ]
}

export function newFeeItemForm(today: string): FeeItemForm {
  return {
    name: '',
    kind: 'property',
    mode: 'building_area',
    cycle_months: 1,
    timing: 'prepaid',
    due_rule: 'days_after_issue',
    due_value: 15,
    rounding: 'half_up',
    rounding_place: 'fen',
    time_unit: 'month',
    meter_kind: '',
    valid_from: today,
    valid_until: '',
    balance_may_pay: true,
    payable_online: true,
    active: true,
    late_fee: {
      strategy: 'none',
      rate: '',
      amount: '',
      grace_days: 0,
      cap_rate: '',
      cap_amount: '',
    },
    price: {
      unit_price: '',
      fixed_extra: '0',
      tiered: false,
      tiers: emptyTiers(),
      time_of_use: false,
      register_prices: { peak: '', valley: '' },
      formula: '',
    },
  }
}

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value))

/** An item as the API lists it → the edit form. */
export function formFromItem(item: FeeItem): FeeItemForm {
  const price = item.current_price
  const tiers = tiersFromApi(price?.tiers)
  const registers = (price?.register_prices ?? {}) as Record<string, unknown>
  const late = (item.late_fee ?? {}) as Record<string, unknown>
  return {
    name: item.name,
    kind: item.kind,
    mode: item.mode,
    cycle_months: item.cycle_months,
    timing: item.timing,
    due_rule: item.due_rule,
    due_value: item.due_value,
    rounding: item.rounding,
    rounding_place: item.rounding_place,
    time_unit: item.time_unit,
    meter_kind: (item.meter_kind || '') as MeterKind | '',
    valid_from: item.valid_from,
    valid_until: item.valid_until ?? '',
    balance_may_pay: item.balance_may_pay,
    payable_online: item.payable_online,
    active: item.active,
    late_fee: {
      strategy: text(late.strategy) || 'none',
      rate: text(late.rate),
      amount: text(late.amount),
      grace_days: typeof late.grace_days === 'number' ? late.grace_days : 0,
      cap_rate: text(late.cap_rate),
      cap_amount: text(late.cap_amount),
    },
    price: {
      // A tiered price stores a zero unit price: show the input empty, not "0.0000".
      unit_price: price && !tiers.length ? price.unit_price : '',
      fixed_extra: price?.fixed_extra ?? '0',
      tiered: tiers.length > 0,
      tiers: tiers.length ? tiers : emptyTiers(),
      time_of_use: 'peak' in registers,
      register_prices: { peak: text(registers.peak), valley: text(registers.valley) },
      formula: price?.formula ?? '',
    },
  }
}

/** The price section as the API takes it: only what the mode uses (the server refuses the rest). */
export function priceToApi(mode: ChargingMode, price: PriceForm): PriceWrite {
  const fields = modeFields(mode)
  const out: PriceWrite = { fixed_extra: price.fixed_extra.trim() || '0' }
  const tiered = fields.tiers && price.tiered
  const unit = price.unit_price.trim()
  if (tiered) out.tiers = tiersToApi(price.tiers)
  else if (unit || !fields.formula) out.unit_price = unit || null
  if (fields.registerPrices && price.time_of_use) {
    out.register_prices = {
      peak: price.register_prices.peak.trim(),
      valley: price.register_prices.valley.trim(),
    }
  }
  if (fields.formula) out.formula = price.formula.trim()
  return out
}

/** The late fee as stored: `{}` for none, else the strategy with only the settings it uses. */
export function lateFeeToApi(late: LateFeeForm): Record<string, string | number> {
  if (!late.strategy || late.strategy === 'none') return {}
  const out: Record<string, string | number> = {
    strategy: late.strategy,
    grace_days: late.grace_days || 0,
  }
  if (late.strategy === 'fixed') out.amount = late.amount.trim()
  else out.rate = late.rate.trim()
  if (late.cap_rate.trim()) out.cap_rate = late.cap_rate.trim()
  if (late.cap_amount.trim()) out.cap_amount = late.cap_amount.trim()
  return out
}

/** The whole form → the create body. */
export function formToApi(form: FeeItemForm): FeeItemWrite {
  const fields = modeFields(form.mode)
  return {
    name: form.name.trim(),
    kind: form.kind,
    mode: form.mode,
    cycle_months: form.cycle_months,
    // A one-off charge has no "last period" to collect afterwards.
    timing: form.cycle_months === 0 ? 'prepaid' : form.timing,
    due_rule: form.due_rule,
    due_value: form.due_value,
    rounding: form.rounding,
    rounding_place: form.rounding_place,
    time_unit: form.time_unit,
    meter_kind: fields.meterKind ? form.meter_kind : '',
    valid_from: form.valid_from,
    valid_until: form.valid_until || null,
    balance_may_pay: form.balance_may_pay,
    payable_online: form.payable_online,
    active: form.active,
    late_fee: lateFeeToApi(form.late_fee),
    price: priceToApi(form.mode, form.price),
  }
}

/**
 * The PATCH body of an edit: only what changed (an item already charged refuses changes to its
 * mode or price, even to the same value's spelling), or null when nothing did.
 */
export function changedFields(before: FeeItemWrite, after: FeeItemWrite): Partial<FeeItemWrite> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key as keyof FeeItemWrite])) {
      out[key] = value
    }
  }
  return out as Partial<FeeItemWrite>
}

/** "¥2.5000/㎡"-like summary of a price for the list. */
export function priceSummary(
  item: Pick<FeeItem, 'mode' | 'current_price'>,
  labels: { none: string; tiered: string; formula: string },
): string {
  const price = item.current_price
  if (!price) return labels.none
  if (tiersFromApi(price.tiers).length) return labels.tiered
  if (item.mode === 'formula') return `${labels.formula}: ${price.formula}`
  const extra = isZero(price.fixed_extra) ? '' : ` + ¥${price.fixed_extra}`
  return `¥${price.unit_price}${extra}`
}
