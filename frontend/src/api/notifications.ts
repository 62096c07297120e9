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

/** One event with its effective text per channel and language (the company's own, or the default). */
export type EventTemplates = Schemas['NotificationEventTemplates']
export type TemplateWording = Schemas['NotificationWording']
export type TemplatePreview = Schemas['NotificationPreview']
export type NotificationSettings = Schemas['NotificationSettings']
export type EventChannels = Schemas['NotificationEventChannels']
/** A person's own notification settings: muted events, quiet hours. */
export type NotificationPreference = Schemas['Preference']

export type TemplateChannel = Schemas['DeliveryChannelEnum']
export type TemplateLanguage = Schemas['TemplateLanguageEnum']

export interface TemplateTarget {
  event: string
  channel: TemplateChannel
  language: TemplateLanguage
}

/** 系统设置 › 通知模板: the company's wording of each event, and its sending settings. */
export const templatesApi = {
  list: () => api.get('/api/v1/notification-templates/'),
  save: (target: TemplateTarget, text: { title: string; body: string }) =>
    api.put('/api/v1/notification-templates/{event}/{channel}/{language}/', text, {
      path: target,
    }),
  reset: (target: TemplateTarget) =>
    api.delete('/api/v1/notification-templates/{event}/{channel}/{language}/', { path: target }),
  preview: (target: TemplateTarget, text: { title?: string; body?: string }) =>
    api.post(
      '/api/v1/notification-templates/{event}/preview/',
      { channel: target.channel, language: target.language, ...text },
      { path: { event: target.event } },
    ),
  settings: () => api.get('/api/v1/notification-settings/'),
  saveSettings: (body: Schemas['NotificationSettingsInputRequest']) =>
    api.put('/api/v1/notification-settings/', body),
}

/** The signed-in staff member's own notification settings (the bell's 通知设置). */
export const preferencesApi = {
  get: () => api.get('/api/v1/notification-preferences/'),
  save: (body: { muted_events: string[]; quiet_start: string | null; quiet_end: string | null }) =>
    api.put('/api/v1/notification-preferences/', body as Schemas['PreferenceRequest']),
}
