/**
 * Community activities (社区活动): staff write, publish, cancel and finish them, follow the sign-ups,
 * check owners in by their code and read the figures.
 *
 * Kept apart from `api/index.ts` so these endpoints load with the activity pages.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type Activity = Schemas['Activity']
export type ActivityWrite = Schemas['ActivityRequest']
export type ActivityStatus = Schemas['ActivityStatusEnum']
export type ActivityTarget = Schemas['ActivityTargetEnum']
export type ActivitySignUp = Schemas['StaffSignUp']
export type SignUpStatus = Schemas['ActivitySignUpStatusEnum']
export type ActivityStats = Schemas['ActivityStats']
export type MonthTally = Schemas['MonthTally']
export type CheckInResult = Schemas['CheckInResult']
export type PaymentStatus = Schemas['PaymentStatusEnum']

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'unpaid',
  'partial',
  'paid',
  'refunded',
  'cancelled',
]
/** Who still owes a paid activity's fee: the "not paid" filter. */
export const OWING: readonly PaymentStatus[] = ['unpaid', 'partial']

export interface SignUpQuery {
  status?: SignUpStatus[]
  payment_status?: PaymentStatus[]
  checked_in?: boolean
  search?: string
}

export const signupsEndpoint = (id: number) => `/api/v1/activities/${id}/signups/`

export const ACTIVITY_STATUSES: readonly ActivityStatus[] = [
  'draft',
  'published',
  'cancelled',
  'finished',
]
export const ACTIVITIES_ENDPOINT = '/api/v1/activities/' as const satisfies ApiPath

const LOCAL = { handleErrorsLocally: true } as const

export type ActivityMove = 'publish' | 'cancel' | 'finish'

export const activitiesApi = {
  get: (id: number) => api.get('/api/v1/activities/{id}/', { path: { id } }),
  create: (body: ActivityWrite) => api.post('/api/v1/activities/', body, LOCAL),
  update: (id: number, body: Partial<ActivityWrite>) =>
    api.patch('/api/v1/activities/{id}/', body, { path: { id }, ...LOCAL }),
  remove: (id: number) => api.delete('/api/v1/activities/{id}/', { path: { id } }),
  move: (id: number, move: ActivityMove) => {
    const options = { path: { id } }
    switch (move) {
      case 'publish':
        return api.post('/api/v1/activities/{id}/publish/', undefined, options)
      case 'cancel':
        return api.post('/api/v1/activities/{id}/cancel/', undefined, options)
      case 'finish':
        return api.post('/api/v1/activities/{id}/finish/', undefined, options)
    }
  },
  signups: (id: number, query: SignUpQuery = {}, page = 1, pageSize = 50) =>
    api.get('/api/v1/activities/{activity_id}/signups/', {
      path: { activity_id: id },
      query: { ...query, page, page_size: pageSize },
    }),
  checkIn: (id: number, code: string) =>
    api.post('/api/v1/activities/{id}/check-in/', { code }, { path: { id }, ...LOCAL }),
  stats: (id: number) => api.get('/api/v1/activities/{id}/stats/', { path: { id } }),
  /** The active one-off fee items a paid activity may charge under. */
  monthly: (year: number) => api.get('/api/v1/activities/monthly-stats/', { query: { year } }),
}
