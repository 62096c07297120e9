/**
 * Repairs (报修): orders for the dispatcher (`repair-orders/`) and the worker (`repair-work/`),
 * categories (two levels) and the company's repair settings, the worker picker.
 *
 * Kept apart from `api/index.ts` so these endpoints load with the repair pages.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type RepairOrder = Schemas['RepairOrder']
export type RepairOrderDetail = Schemas['RepairOrderDetail']
export type RepairTimelineEntry = Schemas['TimelineEntry']
export type RepairCategory = Schemas['RepairCategory']
export type RepairCategoryWrite = Schemas['RepairCategoryRequest']
export type RepairWorker = Schemas['RepairWorker']
export type RepairStatus = Schemas['RepairStatusEnum']
export type Urgency = Schemas['UrgencyEnum']
export type DispatchMode = Schemas['DispatchModeEnum']
export type RepairScope = Schemas['RepairScopeEnum']
export type StaffFiling = Schemas['StaffFileRequest']
export type RepairPhoto = Schemas['RepairPhoto']
export type DispatchRule = Schemas['DispatchRule']
export type DispatchRuleWrite = Schemas['DispatchRuleRequest']
export type RepairSettings = Schemas['RepairSettings']
export type RepairStats = Schemas['RepairStats']

export const REPAIR_STATUSES: readonly RepairStatus[] = [
  'submitted',
  'dispatched',
  'accepted',
  'in_progress',
  'completed',
  'confirmed',
  'closed',
  'cancelled',
]
export const URGENCIES: readonly Urgency[] = ['normal', 'urgent', 'emergency']
export const DISPATCH_MODES: readonly DispatchMode[] = ['assign', 'grab', 'round_robin']
export const REPAIR_SCOPES: readonly RepairScope[] = ['in_house', 'public']

export const REPAIR_ORDERS_ENDPOINT = '/api/v1/repair-orders/' as const satisfies ApiPath

const LOCAL = { handleErrorsLocally: true } as const

/** The dispatcher's moves (`actions` of an order names those allowed now). */
export type DispatcherMove = 'dispatch' | 'transfer' | 'cancel' | 'close' | 'reopen'
/** The worker's moves. */
export type WorkerMove = 'grab' | 'accept' | 'start' | 'complete' | 'return'
export type WorkerMoveExtra = { photos?: number[]; materials?: string; fee?: string }

export const repairOrdersApi = {
  get: (id: number) => api.get('/api/v1/repair-orders/{id}/', { path: { id } }),
  file: (body: StaffFiling) => api.post('/api/v1/repair-orders/', body, LOCAL),
  assign: (id: number, worker: number, note = '') =>
    api.post('/api/v1/repair-orders/{id}/dispatch/', { worker, note }, { path: { id }, ...LOCAL }),
  transfer: (id: number, worker: number, note = '') =>
    api.post('/api/v1/repair-orders/{id}/transfer/', { worker, note }, { path: { id }, ...LOCAL }),
  cancel: (id: number, note = '') =>
    api.post('/api/v1/repair-orders/{id}/cancel/', { note }, { path: { id }, ...LOCAL }),
  close: (id: number, note = '') =>
    api.post('/api/v1/repair-orders/{id}/close/', { note }, { path: { id }, ...LOCAL }),
  reopen: (id: number, note = '') =>
    api.post('/api/v1/repair-orders/{id}/reopen/', { note }, { path: { id }, ...LOCAL }),
  workers: () => api.get('/api/v1/repair-workers/'),
  /** Correct a completed order's fee before any of it is paid (409 once it is: refund in billing). */
  correctFee: (id: number, fee: string, note = '') =>
    api.post('/api/v1/repair-orders/{id}/fee/', { fee, note }, { path: { id }, ...LOCAL }),
}

export const repairWorkApi = {
  list: (query: { status?: RepairStatus[]; page_size?: number } = {}) =>
    api.get('/api/v1/repair-work/', { query: { page_size: 100, ...query } }),
  get: (id: number) => api.get('/api/v1/repair-work/{id}/', { path: { id } }),
  /** The contact's phone (audited on the server), for the worker an open order is assigned to. */
  contact: (id: number) => api.get('/api/v1/repair-work/{id}/contact/', { path: { id }, ...LOCAL }),
  /** `extra.photos`: ids of the worker's uploads, attached at start (problem) or completion (result);
   * at completion also the materials used and the fee (a paid category's, charged to the house). */
  move: (id: number, move: WorkerMove, note = '', extra: WorkerMoveExtra = {}) => {
    const options = { path: { id }, ...LOCAL }
    switch (move) {
      case 'grab':
        return api.post('/api/v1/repair-work/{id}/grab/', { note }, options)
      case 'accept':
        return api.post('/api/v1/repair-work/{id}/accept/', { note }, options)
      case 'start':
        return api.post(
          '/api/v1/repair-work/{id}/start/',
          { note, photos: extra.photos ?? [] },
          options,
        )
      case 'complete':
        return api.post('/api/v1/repair-work/{id}/complete/', { note, ...extra }, options)
      case 'return':
        return api.post('/api/v1/repair-work/{id}/return/', { note }, options)
    }
  },
}

export const repairCategoriesApi = {
  list: () => api.get('/api/v1/repair-categories/'),
  create: (body: RepairCategoryWrite) => api.post('/api/v1/repair-categories/', body, LOCAL),
  update: (id: number, body: Partial<RepairCategoryWrite>) =>
    api.patch('/api/v1/repair-categories/{id}/', body, { path: { id }, ...LOCAL }),
  remove: (id: number) => api.delete('/api/v1/repair-categories/{id}/', { path: { id } }),
}

export const repairSettingsApi = {
  get: () => api.get('/api/v1/repair-settings/'),
  update: (body: Partial<RepairSettings>) => api.patch('/api/v1/repair-settings/', body, LOCAL),
}

/** Staff uploads (one file a request); name the answered ids in `photos` when filing or moving. */
export const repairPhotosApi = {
  upload(file: File) {
    const form = new FormData()
    form.append('file', file)
    return api.post('/api/v1/repair-photos/', form, LOCAL)
  },
}

export const dispatchRulesApi = {
  list: () => api.get('/api/v1/repair-dispatch-rules/'),
  create: (body: DispatchRuleWrite) => api.post('/api/v1/repair-dispatch-rules/', body, LOCAL),
  update: (id: number, body: Partial<DispatchRuleWrite>) =>
    api.patch('/api/v1/repair-dispatch-rules/{id}/', body, { path: { id }, ...LOCAL }),
  remove: (id: number) => api.delete('/api/v1/repair-dispatch-rules/{id}/', { path: { id } }),
}

export const REPAIR_STATS_ENDPOINT = '/api/v1/repair-stats/' as const satisfies ApiPath
export interface RepairStatsQuery {
  date_from?: string
  date_to?: string
  estate?: number
}

export const repairStatsApi = {
  get: (query: RepairStatsQuery) => api.get('/api/v1/repair-stats/', { query, ...LOCAL }),
}
