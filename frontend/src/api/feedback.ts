/**
 * Feedback (投诉建议): every item for the handlers (`feedback/`), its moves, the handlers one may
 * assign to, the figures (`feedback-stats/`) and the reply rule (`feedback-settings/`). Kept apart from `api/index.ts` so these load
 * with the feedback page.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type Feedback = Schemas['Feedback']
export type FeedbackDetail = Schemas['FeedbackDetail']
export type FeedbackKind = Schemas['FeedbackKindEnum']
export type FeedbackStatus = Schemas['FeedbackStatusEnum']
export type FeedbackStats = Schemas['FeedbackStats']
export type FeedbackHandler = Schemas['FeedbackHandler']
export type FeedbackSettings = Schemas['FeedbackSettings']
/** Months back from this one (1–36, the server's default 12), optionally one estate. */
export interface FeedbackStatsQuery {
  months?: number
  estate?: number
}

export const FEEDBACK_KINDS: readonly FeedbackKind[] = [
  'complaint',
  'suggestion',
  'consultation',
  'praise',
]
export const FEEDBACK_STATUSES: readonly FeedbackStatus[] = [
  'submitted',
  'assigned',
  'replied',
  'resolved',
  'closed',
  'withdrawn',
]

export const FEEDBACK_ENDPOINT = '/api/v1/feedback/' as const satisfies ApiPath
export const FEEDBACK_STATS_ENDPOINT = '/api/v1/feedback-stats/' as const satisfies ApiPath

/** The handlers' moves (`actions` of an item names those allowed now). */
export type FeedbackMove = 'assign' | 'reply' | 'resolve' | 'close'

const LOCAL = { handleErrorsLocally: true } as const

export const feedbackApi = {
  get: (id: number) => api.get('/api/v1/feedback/{id}/', { path: { id } }),
  assign: (id: number, assignee: number, note = '') =>
    api.post('/api/v1/feedback/{id}/assign/', { assignee, note }, { path: { id }, ...LOCAL }),
  reply: (id: number, note: string) =>
    api.post('/api/v1/feedback/{id}/reply/', { note }, { path: { id }, ...LOCAL }),
  resolve: (id: number, note = '') =>
    api.post('/api/v1/feedback/{id}/resolve/', { note }, { path: { id }, ...LOCAL }),
  close: (id: number, note: string) =>
    api.post('/api/v1/feedback/{id}/close/', { note }, { path: { id }, ...LOCAL }),
  handlers: () => api.get('/api/v1/feedback-handlers/'),
  stats: (query: FeedbackStatsQuery = { months: 12 }) =>
    api.get('/api/v1/feedback-stats/', { query }),
}

/** 投诉建议设置: read by the handlers, changed by feedback.manage (field errors answered locally). */
export const feedbackSettingsApi = {
  get: () => api.get('/api/v1/feedback-settings/'),
  update: (body: Partial<FeedbackSettings>) => api.patch('/api/v1/feedback-settings/', body, LOCAL),
}
