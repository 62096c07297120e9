/**
 * Billing reports (收费报表) for the dashboard: the collection rate by month and income by month.
 *
 * Kept apart from `api/index.ts` so these endpoints load with the charts, not the login page.
 */
import { api, type Schemas } from './contract'

export type Collection = Schemas['Collection']
export type CollectionReport = Schemas['CollectionReport']
export type Income = Schemas['Income']

export const reportsApi = {
  /** The last `months` months (by cycle start), oldest first; `rate` is null where nothing was due. */
  collectionByMonth: (months = 12) =>
    api.get('/api/v1/billing/collection-rate/', { query: { months } }),
  /** Money received per month over [dateFrom, dateTo] (every month present, zero when nothing came in). */
  incomeByMonth: (dateFrom: string, dateTo: string) =>
    api.get('/api/v1/billing/income/', {
      query: { by: 'month', date_from: dateFrom, date_to: dateTo },
    }),
}

/** True when the company has nothing billed in the series: an empty state, not a 0 % chart. */
export function nothingDue(report: CollectionReport): boolean {
  return report.series.every((month) => Number(month.due) === 0)
}

/** A rate ("0.9512") as a percentage with one decimal (95.1), or null where nothing was due. */
export function ratePercent(rate: string | null | undefined): number | null {
  if (rate === null || rate === undefined) return null
  return Math.round(Number(rate) * 1000) / 10
}
