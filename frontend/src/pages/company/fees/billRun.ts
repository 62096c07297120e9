import type { RouteLocationRaw } from 'vue-router'

import type { BillRun, BillRunCreate, BillRunPreview, FeeItem } from '@/api/fees'

/**
 * 出账向导的步骤: choose what to bill → preview (nothing issued yet) → issuing (a background job)
 * → done, or failed. Kept out of the components so the rules can be tested alone.
 */
export type WizardStep = 'scope' | 'preview' | 'running' | 'done' | 'failed'

/**
 * The active box of the four-box step bar: done ticks all four (4); a failure stands, in error,
 * where "done" would (3).
 */
export function stepIndex(step: WizardStep): number {
  return { scope: 0, preview: 1, running: 2, done: 4, failed: 3 }[step]
}

/** Where a run of the list opens in the wizard; a cancelled run does not open. */
export function stepOf(run: Pick<BillRun, 'status'>): WizardStep | null {
  switch (run.status) {
    case 'previewed':
      return 'preview'
    case 'running':
      return 'running'
    case 'succeeded':
      return 'done'
    case 'failed':
      return 'failed'
    default:
      return null
  }
}

export interface ScopeForm {
  /** [estate] or [estate, building] (LocationCascader). */
  location: number[]
  as_of: string
  fee_items: number[]
}

/**
 * Items a run bills: the active ones, except 录入用量 (usage entered per house is billed when it is
 * entered, and the server leaves it out of runs too).
 */
export function billableItems(items: readonly FeeItem[]): FeeItem[] {
  return items.filter((item) => item.active && item.mode !== 'usage')
}

/** A new run: no place chosen yet, billed as of today, every billable item. */
export function defaultScope(items: readonly FeeItem[], today: string): ScopeForm {
  return { location: [], as_of: today, fee_items: billableItems(items).map((i) => i.id) }
}

/** The form of a run being reopened (its items, or every billable one when it named none). */
export function scopeOfRun(
  run: Pick<BillRun, 'estate' | 'building' | 'as_of' | 'fee_items'>,
  items: readonly FeeItem[],
): ScopeForm {
  const location: number[] = []
  if (run.estate) location.push(run.estate)
  if (run.estate && run.building) location.push(run.building)
  return {
    location,
    as_of: run.as_of,
    fee_items: run.fee_items.length ? [...run.fee_items] : billableItems(items).map((i) => i.id),
  }
}

export type ScopeProblem = 'needLocation' | 'needDate' | 'needItems'

export function scopeProblem(form: ScopeForm): ScopeProblem | null {
  if (!form.location[0]) return 'needLocation'
  if (!form.as_of) return 'needDate'
  if (!form.fee_items.length) return 'needItems'
  return null
}

/**
 * The body of POST /bill-runs/. The items are always named, even when they are all of them, so
 * what is issued is what was previewed (an item added in between waits for the next run).
 */
export function createBody(form: ScopeForm): BillRunCreate {
  const [estate, building] = form.location
  const body: BillRunCreate = { as_of: form.as_of, estate, fee_items: [...form.fee_items] }
  if (building) body.building = building
  return body
}

/**
 * Why a preview would issue nothing, for an honest message instead of an empty run:
 * - `exceptions`: something falls due, but every one is left out (no price, no reading…);
 * - `allBilled`: what falls due was issued before (by an earlier run);
 * - `nothingDue`: no house in scope holds these items, or no cycle has fallen due by the date.
 */
export type NothingReason = 'exceptions' | 'allBilled' | 'nothingDue'

export function nothingReason(preview: BillRunPreview): NothingReason | null {
  if (preview.charges > 0) return null
  if (preview.items.some((item) => item.exceptions.length > 0)) return 'exceptions'
  if (preview.items.some((item) => item.already_billed > 0)) return 'allBilled'
  return 'nothingDue'
}

export interface ExceptionLine {
  item: string
  /** The house left out, named as everywhere ("阳光花园 1栋1单元101"); its id on a preview stored
   * before houses were named; null when the exception is not one house's. */
  house: { label: string } | { id: number } | null
  reason: string
}

/** Every exception of a preview, item by item, for the list under its table. */
function exceptionHouse(
  e: BillRunPreview['items'][number]['exceptions'][number],
): ExceptionLine['house'] {
  if (e.house_label) return { label: [e.estate_name, e.house_label].filter(Boolean).join(' ') }
  return e.house != null ? { id: e.house } : null
}

export function exceptionLines(preview: BillRunPreview): ExceptionLine[] {
  return preview.items.flatMap((item) =>
    item.exceptions.map((e) => ({ item: item.name, house: exceptionHouse(e), reason: e.reason })),
  )
}

/** What a run covers, e.g. "阳光花园 1栋"; a run over the whole company says so. */
export function scopeText(
  run: Pick<BillRun, 'estate_name' | 'building_name'>,
  wholeCompany: string,
): string {
  return [run.estate_name, run.building_name].filter(Boolean).join(' ') || wholeCompany
}

/** The charges a run stands for: what it issued once done, what it would issue before. */
export function runCharges(run: Pick<BillRun, 'status' | 'preview' | 'result'>): {
  charges: number | null
  total: string | null
  issued: boolean
} {
  if (run.status === 'succeeded') {
    return { charges: run.result.charges ?? 0, total: run.result.total ?? '0.00', issued: true }
  }
  return { charges: run.preview?.charges ?? null, total: run.preview?.total ?? null, issued: false }
}

export const BILLS_ROUTE = 'fees-bills'

/** The bills list filtered by this run, where the app has one (the charges API takes `bill_run`). */
export function billsLocation(
  runId: number,
  hasRoute: (name: string) => boolean,
): RouteLocationRaw | null {
  return hasRoute(BILLS_ROUTE) ? { name: BILLS_ROUTE, query: { bill_run: String(runId) } } : null
}
