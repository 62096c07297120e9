/**
 * 对账: daily reconciliation runs (one per gateway and day), their differences, running a day again
 * (a job to watch) and resolving a difference with a note. Lazy-loaded with the page.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type ReconciliationRun = Schemas['ReconciliationRun']
export type ReconciliationItem = Schemas['ReconciliationItem']
export type RunStatus = Schemas['ReconciliationRunStatusEnum']
export type ItemKind = Schemas['ReconciliationItemKindEnum']

export const RECONCILIATION_RUNS = '/api/v1/payments/reconciliation/runs/' satisfies ApiPath

/** One run's differences, as a DataTable endpoint. */
export const itemsEndpoint = (runId: number) => `${RECONCILIATION_RUNS}${runId}/items/`

export const reconciliationApi = {
  run: (billDate: string, gateway = 'wechatpay') =>
    api.post('/api/v1/payments/reconciliation/runs/', { bill_date: billDate, gateway }),
  resolve: (itemId: number, note: string) =>
    api.post(
      '/api/v1/payments/reconciliation/items/{id}/resolve/',
      { note },
      { path: { id: itemId } },
    ),
}
