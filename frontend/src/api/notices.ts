/**
 * Announcements (社区公告): the staff's notices (`notices/`), their publication, read figures and
 * the unread houses of an outage notice (`notice-unread-houses/`, exportable), body images.
 */
import { api, type ApiPath, type Schemas } from './contract'
import { download } from './http'

export type Notice = Schemas['Notice']
export type NoticeWrite = Schemas['NoticeRequest']
export type NoticeKind = Schemas['NoticeKindEnum']
export type NoticeStatus = Schemas['NoticeStatusEnum']
export type NoticeTarget = Schemas['NoticeTargetEnum']
export type NoticeStats = Schemas['NoticeStats']

export const NOTICE_KINDS: readonly NoticeKind[] = ['outage', 'safety', 'activity', 'general']
export const NOTICE_STATUSES: readonly NoticeStatus[] = [
  'draft',
  'scheduled',
  'published',
  'withdrawn',
]
export const NOTICE_TARGETS: readonly NoticeTarget[] = ['company', 'estates', 'buildings']

export const NOTICES_ENDPOINT = '/api/v1/notices/' as const satisfies ApiPath
const UNREAD_ENDPOINT = '/api/v1/notice-unread-houses/' as const satisfies ApiPath

const LOCAL = { handleErrorsLocally: true } as const

export const noticesApi = {
  get: (id: number) => api.get('/api/v1/notices/{id}/', { path: { id } }),
  create: (body: NoticeWrite) => api.post('/api/v1/notices/', body, LOCAL),
  update: (id: number, body: Partial<NoticeWrite>) =>
    api.patch('/api/v1/notices/{id}/', body, { path: { id }, ...LOCAL }),
  remove: (id: number) => api.delete('/api/v1/notices/{id}/', { path: { id } }),
  /** Now (no time, or one already past) or at `publishAt` (ISO). */
  publish: (id: number, publishAt: string | null = null) =>
    api.post(
      '/api/v1/notices/{id}/publish/',
      { publish_at: publishAt },
      { path: { id }, ...LOCAL },
    ),
  withdraw: (id: number) =>
    api.post('/api/v1/notices/{id}/withdraw/', undefined, { path: { id }, ...LOCAL }),
  stats: (id: number) => api.get('/api/v1/notices/{id}/stats/', { path: { id } }),
  /** An image for the body: its absolute URL on this company's host. */
  uploadImage: (file: File) => {
    const form = new FormData()
    form.append('file', file)
    return api.post('/api/v1/notice-images/', form, LOCAL)
  },
  /** The unread houses of an outage notice as a spreadsheet. */
  exportUnread: (id: number) =>
    download(UNREAD_ENDPOINT, { notice: id, format: 'xlsx' }, 'unread-houses.xlsx'),
}
