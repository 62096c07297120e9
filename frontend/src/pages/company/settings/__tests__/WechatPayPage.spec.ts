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
import SettingsLayout from '@/pages/company/settings/SettingsLayout.vue'
import WechatPayPage from '@/pages/company/settings/WechatPayPage.vue'
import { jsonResponse } from '@/test/http'

const ADMIN = ['settings.manage', 'payments.merchant']
const PATH = '/settings/wechat-pay'
const SAVED = {
  sub_mchid: '1230000001',
  sub_appid: 'wxa1a1a1a1a1a1a1a1',
  secret_set: true,
  notify_url: 'http://alpha.localhost/api/v1/payments/wechat/notify/',
}
const EMPTY = { sub_mchid: '', sub_appid: '', secret_set: false, notify_url: SAVED.notify_url }

afterEach(() => vi.unstubAllGlobals())

const input = (testid: string) => $(testid) as HTMLInputElement

describe('WechatPayPage', () => {
  it('shows the saved settings; the secret never comes back, only that it is set', async () => {
    fakeApi({ 'GET /api/v1/settings/wechat-pay/': () => jsonResponse(SAVED) })
    await mountPage(WechatPayPage, { path: PATH, permissions: ADMIN })
    expect(input('wechat-sub-mchid').value).toBe('1230000001')
    expect(input('wechat-sub-appid').value).toBe('wxa1a1a1a1a1a1a1a1')
    expect(input('wechat-secret').value).toBe('')
    expect(input('wechat-secret').type).toBe('password')
    expect($('wechat-secret-state')?.textContent).toContain('已设置')
    expect(input('wechat-secret').placeholder).toContain('留空则保留')
    expect($('wechat-notify-url')?.textContent).toBe(SAVED.notify_url)
  })

  it('saves without the secret when it is left blank, and with it when typed', async () => {
    const all = fakeApi({
      'GET /api/v1/settings/wechat-pay/': () => jsonResponse(EMPTY),
      'PUT /api/v1/settings/wechat-pay/': () => jsonResponse(SAVED),
    })
    await mountPage(WechatPayPage, { path: PATH, permissions: ADMIN })
    expect($('wechat-secret-state')?.textContent).toContain('未设置')
    await type('wechat-sub-mchid', '1230000001')
    await type('wechat-sub-appid', 'wxa1a1a1a1a1a1a1a1')
    await type('wechat-secret', 's3cr3tS3cr3tS3cr3t')
    await click('wechat-save')
    await settle()
    const puts = calls(all, 'PUT', '/api/v1/settings/wechat-pay/')
    expect(puts).toHaveLength(1)
    expect(bodyOf(puts[0])).toEqual({
      sub_mchid: '1230000001',
      sub_appid: 'wxa1a1a1a1a1a1a1a1',
      secret: 's3cr3tS3cr3tS3cr3t',
    })
    // Saved: the secret field is emptied again and only its state is shown.
    expect(input('wechat-secret').value).toBe('')
    expect($('wechat-secret-state')?.textContent).toContain('已设置')

    await type('wechat-sub-mchid', '1230000003')
    await click('wechat-save')
    await settle()
    const again = calls(all, 'PUT', '/api/v1/settings/wechat-pay/')
    expect(again).toHaveLength(2)
    expect(bodyOf(again[1])).toEqual({ sub_mchid: '1230000003', sub_appid: 'wxa1a1a1a1a1a1a1a1' })
  })

  it('checks the fields before sending, and shows the server’s field errors under their fields', async () => {
    const all = fakeApi({
      'GET /api/v1/settings/wechat-pay/': () => jsonResponse(EMPTY),
      'PUT /api/v1/settings/wechat-pay/': () =>
        jsonResponse(
          {
            code: 'invalid',
            message: '请填写小程序 AppSecret。',
            fields: { secret: ['请填写小程序 AppSecret。'] },
          },
          400,
        ),
    })
    await mountPage(WechatPayPage, { path: PATH, permissions: ADMIN })
    await type('wechat-sub-mchid', '12ab')
    await type('wechat-sub-appid', 'nope')
    await click('wechat-save')
    await settle()
    expect(calls(all, 'PUT', '/api/v1/settings/wechat-pay/')).toHaveLength(0)
    expect(fieldError('wechat-sub-mchid')).toContain('8–12 位数字')
    expect(fieldError('wechat-sub-appid')).toContain('wx 开头')

    await type('wechat-sub-mchid', '1230000001')
    await type('wechat-sub-appid', 'wxa1a1a1a1a1a1a1a1')
    await click('wechat-save')
    await settle()
    expect(calls(all, 'PUT', '/api/v1/settings/wechat-pay/')).toHaveLength(1)
    expect(fieldError('wechat-secret')).toContain('请填写小程序 AppSecret')
    expect($('wechat-pay-error')).toBeNull()
  })
})

describe('SettingsLayout', () => {
  it('shows the WeChat Pay tab only to who may set the merchant', async () => {
    fakeApi({ 'GET /api/v1/settings/branding/': () => jsonResponse({}) })
    const admin = await mountPage(SettingsLayout, { path: '/settings/staff', permissions: ADMIN })
    expect($('tab-settings-wechat-pay')).not.toBeNull()
    admin.wrapper.unmount()
    await mountPage(SettingsLayout, { path: '/settings/staff', permissions: ['settings.manage'] })
    expect($('tab-settings-wechat-pay')).toBeNull()
    expect($('tab-settings-staff')).not.toBeNull()
  })
})
