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
import WechatTemplatesPage from '@/pages/company/settings/WechatTemplatesPage.vue'
import { jsonResponse } from '@/test/http'

const ADMIN = ['settings.manage', 'notifications.templates']
const PATH = '/settings/wechat-templates'
const URL = '/api/v1/notification-wechat-templates/'
const BILL = {
  id: 5,
  event: 'bill.issued',
  event_label: '新账单',
  template_id: 'TPL-BILL',
  fields: { thing1: 'house', amount2: 'amount', thing4: '_title' },
  updated_at: '2026-12-03T01:00:00Z',
}
const EVENTS = [
  {
    name: 'bill.issued',
    label: '新账单',
    keys: ['house', 'amount', 'due_date', '_title', '_body'],
  },
]

afterEach(() => vi.unstubAllGlobals())

describe('WechatTemplatesPage', () => {
  it('lists the templates with what fills each keyword', async () => {
    fakeApi({
      [`GET ${URL}`]: () => jsonResponse([BILL]),
      [`GET ${URL}events/`]: () => jsonResponse(EVENTS),
    })
    await mountPage(WechatTemplatesPage, { path: PATH, permissions: ADMIN })
    await settle()
    const text = $('wechat-templates-page')?.textContent ?? ''
    expect(text).toContain('新账单')
    expect(text).toContain('TPL-BILL')
    expect(text).toContain('thing1 ← house')
    expect(text).toContain('thing4 ← 通知标题')
  })

  it('has an honest empty state', async () => {
    fakeApi({
      [`GET ${URL}`]: () => jsonResponse([]),
      [`GET ${URL}events/`]: () => jsonResponse(EVENTS),
    })
    await mountPage(WechatTemplatesPage, { path: PATH, permissions: ADMIN })
    await settle()
    expect($('wechat-templates-page')?.textContent).toContain('还没有设置微信订阅消息模板')
  })

  it('saves an edited template and shows the server’s field errors under their fields', async () => {
    let answer = () => jsonResponse({ ...BILL, template_id: 'TPL-NEW' })
    const all = fakeApi({
      [`GET ${URL}`]: () => jsonResponse([BILL]),
      [`GET ${URL}events/`]: () => jsonResponse(EVENTS),
      [`PUT ${URL}5/`]: () => answer(),
    })
    await mountPage(WechatTemplatesPage, { path: PATH, permissions: ADMIN })
    await settle()
    await click('wechat-template-edit-5')
    await settle()
    answer = () =>
      jsonResponse(
        {
          code: 'invalid',
          message: '模板 ID 格式不正确。',
          fields: { template_id: ['模板 ID 格式不正确。'] },
        },
        400,
      )
    await type('wechat-template-id', 'TPL NEW')
    await click('wechat-template-save')
    await settle()
    expect(fieldError('wechat-template-id')).toBe('模板 ID 格式不正确。')

    answer = () => jsonResponse({ ...BILL, template_id: 'TPL-NEW' })
    await type('wechat-template-id', 'TPL-NEW')
    await click('wechat-template-save')
    await settle()
    const puts = calls(all, 'PUT', `${URL}5/`)
    expect(puts).toHaveLength(2)
    expect(bodyOf(puts[1])).toEqual({
      event: 'bill.issued',
      template_id: 'TPL-NEW',
      fields: BILL.fields,
    })
    expect(calls(all, 'GET', URL)).toHaveLength(2)
  })
})
