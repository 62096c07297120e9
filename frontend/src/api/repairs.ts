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
}

export const repairWorkApi = {
  list: (query: { status?: RepairStatus[]; page_size?: number } = {}) =>
    api.get('/api/v1/repair-work/', { query: { page_size: 100, ...query } }),
  get: (id: number) => api.get('/api/v1/repair-work/{id}/', { path: { id } }),
  /** The contact's phone (audited on the server), for the worker an open order is assigned to. */
  contact: (id: number) =>
    api.get('/api/v1/repair-work/{id}/contact/', { path: { id }, ...LOCAL }),
  /** `done`: at completion, the materials used and the fee (a paid category's, charged to the house). */
  move: (id: number, move: WorkerMove, note = '', done: { materials?: string; fee?: string } = {}) => {
    const options = { path: { id }, ...LOCAL }
    switch (move) {
      case 'grab':
        return api.post('/api/v1/repair-work/{id}/grab/', { note }, options)
      case 'accept':
        return api.post('/api/v1/repair-work/{id}/accept/', { note }, options)
      case 'start':
        return api.post('/api/v1/repair-work/{id}/start/', { note }, options)
      case 'complete':
        return api.post('/api/v1/repair-work/{id}/complete/', { note, ...done }, options)
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
  update: (reopen_days: number) =>
    api.patch('/api/v1/repair-settings/', { reopen_days }, LOCAL),
}
