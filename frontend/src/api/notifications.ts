/**
 * Notifications (通知): the signed-in staff member's own messages — the header's bell (unread count,
 * the latest messages, read receipts). Kept apart from `api/index.ts` with the layout that uses it.
 */
import { api, type Schemas } from './contract'

export type InboxItem = Schemas['InboxItem']
/** One push (SMS, e-mail) of one message to one person: its state, tries and last error. */
export type Delivery = Schemas['Delivery']

export const notificationsApi = {
  latest: (pageSize = 10) =>
    api
      .get('/api/v1/notifications/', { query: { page_size: pageSize } })
      .then((page) => page.results),
  unreadCount: () => api.get('/api/v1/notifications/unread-count/').then((answer) => answer.unread),
  read: (id: number) => api.post('/api/v1/notifications/{id}/read/', undefined, { path: { id } }),
  readAll: () => api.post('/api/v1/notifications/read-all/', undefined),
}

/** The company's deliveries that did not go out (failed for good, or dead after every try). */
export const deliveriesApi = {
  failures: (page = 1) =>
    api.get('/api/v1/notification-deliveries/failures/', { query: { page, page_size: 20 } }),
  retry: (id: number) =>
    api.post('/api/v1/notification-deliveries/{id}/retry/', undefined, { path: { id } }),
}

/** The company's WeChat subscribe-message template of one event, and the events one may be set for. */
export type WechatTemplate = Schemas['WechatTemplate']
export type WechatTemplateWrite = Schemas['WechatTemplateRequest']
export type WechatEvent = Schemas['WechatEvent']

export const wechatTemplatesApi = {
  list: () => api.get('/api/v1/notification-wechat-templates/'),
  events: () => api.get('/api/v1/notification-wechat-templates/events/'),
  create: (body: WechatTemplateWrite) =>
    api.post('/api/v1/notification-wechat-templates/', body, { handleErrorsLocally: true }),
  update: (id: number, body: WechatTemplateWrite) =>
    api.put('/api/v1/notification-wechat-templates/{id}/', body, {
      path: { id },
      handleErrorsLocally: true,
    }),
  remove: (id: number) =>
    api.delete('/api/v1/notification-wechat-templates/{id}/', { path: { id } }),
}
