import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import NotificationTemplatesPage from '@/pages/company/settings/NotificationTemplatesPage.vue'
import { jsonResponse } from '@/test/http'

const ADMIN = ['settings.manage', 'notifications.templates']
const PATH = '/settings/notification-templates'

function wording(channel: string, language: string, overridden = false) {
  const title = channel === 'sms' ? '' : '安全警报：%(kind)s'
  return {
    channel,
    language,
    title: overridden ? '紧急：%(kind)s' : title,
    body: '%(place)s 发生%(kind)s',
    overridden,
    default_title: title,
    default_body: '%(place)s 发生%(kind)s',
  }
}
const ALERT = {
  name: 'security.alert',
  label: '安全警报',
  essential: true,
  urgent: true,
  channels: ['inbox', 'sms'],
  placeholders: ['kind', 'place'],
  templates: ['inbox', 'sms'].flatMap((channel) =>
    ['zh-hans', 'en'].map((language) => wording(channel, language)),
  ),
}
const SETTINGS = {
  sms_provider: 'tencent',
  sms_sign_name: '',
  events: [
    {
      name: 'security.alert',
      label: '安全警报',
      essential: true,
      channels: ['inbox', 'sms'],
      enabled_channels: ['inbox', 'sms'],
      has_sms: true,
      sms_template_id: '',
      sms_template_missing: true,
    },
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('NotificationTemplatesPage', () => {
  it('edits a template with placeholder chips, previews it, shows field errors and saves', async () => {
    const all = fakeApi({
      'GET /api/v1/notification-templates/': () => jsonResponse([ALERT]),
      'GET /api/v1/notification-settings/': () => jsonResponse(SETTINGS),
      'POST /api/v1/notification-templates/security.alert/preview/': (call) => {
        const body = bodyOf(call)
        if (String(body.body).includes('%(x)')) {
          return jsonResponse(
            { code: 'invalid', message: '“x”不是此通知的占位符', fields: { body: ['“x”不是此通知的占位符'] } },
            400,
          )
        }
        return jsonResponse({
          title: '紧急：〔示例：kind〕',
          body: '〔示例：place〕',
          sms_params: [],
          sample: { kind: '〔示例：kind〕', place: '〔示例：place〕' },
        })
      },
      'PUT /api/v1/notification-templates/security.alert/inbox/zh-hans/': () =>
        jsonResponse({
          ...ALERT,
          templates: [wording('inbox', 'zh-hans', true), ...ALERT.templates.slice(1)],
        }),
    })
    await mountPage(NotificationTemplatesPage, { path: PATH, permissions: ADMIN })
    await settle()
    expect($('sms-ids-missing')?.textContent).toContain('安全警报')
    expect(($('template-title') as HTMLInputElement).value).toBe('安全警报：%(kind)s')
    expect(($('sending-inbox')?.querySelector('input') as HTMLInputElement).disabled).toBe(true)
    expect(($('sending-sms')?.querySelector('input') as HTMLInputElement).disabled).toBe(true)

    await type('template-body', '%(x)s')
    await click('template-preview')
    await settle()
    expect(fieldError('template-body')).toContain('不是此通知的占位符')

    await type('template-title', '紧急：%(kind)s')
    await type('template-body', '')
    await click('placeholder-place')
    expect(($('template-body') as HTMLTextAreaElement).value).toBe('%(place)s')
    await click('template-preview')
    await settle()
    expect($('template-preview-result')?.textContent).toContain('〔示例：place〕')
    expect($('template-preview-result')?.textContent).toContain('示例数据')

    await click('template-save')
    await settle()
    const saved = calls(all, 'PUT', '/api/v1/notification-templates/security.alert/inbox/zh-hans/')
    expect(saved.map(bodyOf)).toEqual([{ title: '紧急：%(kind)s', body: '%(place)s' }])
    expect(($('template-reset') as HTMLButtonElement).disabled).toBe(false)
  })
})
