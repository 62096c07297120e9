import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import { PARTNER_TOKEN_KEY } from '@/stores/partner'
import { jsonResponse } from '@/test/http'
import { partnerAccount, partnerToken } from '@/test/partner'

import { arriveAt, mountPortal, TOKEN } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

describe('服务商登录', () => {
  it('sends a signed-out visitor of a portal page to sign in, then back to that page', async () => {
    const all = fakeApi({
      'POST /api/v1/partner/auth/login/': () => jsonResponse(partnerToken('tok-9')),
      'GET /api/v1/partner/documents/': () =>
        jsonResponse({ count: 0, next: null, previous: null, results: [] }),
    })
    const { router } = await mountPortal('/partner/documents', { signedIn: false })
    expect(router.currentRoute.value.name).toBe('partner-login')
    expect(router.currentRoute.value.query.next).toBe('/partner/documents')
    await type('partner-login-phone', '13900001111')
    await type('partner-login-password', 'Vendor-pass-2026')
    await click('partner-login-submit')
    await arriveAt(router, 'partner-documents')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/auth/login/')[0]!)).toEqual({
      phone: '13900001111',
      password: 'Vendor-pass-2026',
    })
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBe('tok-9')
    expect(router.currentRoute.value.name).toBe('partner-documents')
    expect(calls(all, 'GET', '/api/v1/partner/documents/')[0]!.headers.Authorization).toBe(
      'Bearer tok-9',
    )
  })

  it('says why a sign-in failed', async () => {
    fakeApi({
      'POST /api/v1/partner/auth/login/': () =>
        jsonResponse(
          { code: 'invalid_credentials', message: '手机号或密码错误。', fields: {} },
          401,
        ),
    })
    const { router } = await mountPortal('/partner/login', { signedIn: false })
    await type('partner-login-phone', '13900001111')
    await type('partner-login-password', 'wrong-pass-1')
    await click('partner-login-submit')
    expect($('partner-login-error')?.textContent).toContain('手机号或密码错误')
    expect(router.currentRoute.value.name).toBe('partner-login')
  })
})

describe('服务商注册', () => {
  async function fill() {
    await type('partner-signup-name', ' 洁净家政 ')
    await type('partner-signup-contact', '王经理')
    await type('partner-signup-phone', '13900001111')
    await type('partner-signup-password', 'Vendor-pass-2026')
  }

  it('signs the vendor up and in, then shows its code', async () => {
    const all = fakeApi({
      'POST /api/v1/partner/signup/': () => jsonResponse(partnerToken('tok-new'), 201),
      'GET /api/v1/partner/me/': () => jsonResponse(partnerAccount()),
    })
    const { router } = await mountPortal('/partner/signup', { signedIn: false })
    await fill()
    await click('partner-signup-submit')
    await arriveAt(router, 'partner-overview')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/signup/')[0]!)).toEqual({
      name: '洁净家政',
      kind: 'housekeeping',
      contact_name: '王经理',
      phone: '13900001111',
      password: 'Vendor-pass-2026',
    })
    expect(router.currentRoute.value.name).toBe('partner-overview')
    expect($('partner-vendor-code')?.textContent).toBe('K7MX2Q')
  })

  it('puts the server’s field errors under their inputs', async () => {
    fakeApi({
      'POST /api/v1/partner/signup/': () =>
        jsonResponse(
          { code: 'validation_error', message: '', fields: { phone: ['该手机号已注册。'] } },
          400,
        ),
    })
    await mountPortal('/partner/signup', { signedIn: false })
    await fill()
    await click('partner-signup-submit')
    await settle()
    expect(fieldError('partner-signup-phone')).toBe('该手机号已注册。')
  })

  it('refuses a weak password before asking the server', async () => {
    const all = fakeApi({})
    await mountPortal('/partner/signup', { signedIn: false })
    await type('partner-signup-name', '洁净家政')
    await type('partner-signup-contact', '王经理')
    await type('partner-signup-phone', '13900001111')
    await type('partner-signup-password', 'short')
    await click('partner-signup-submit')
    await settle()
    expect(fieldError('partner-signup-password')).toContain('至少 10 位')
    expect(all).toHaveLength(0)
  })
})

describe('概览', () => {
  it('shows the vendor code and, while listings are suspended, says so', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () =>
        jsonResponse(
          partnerAccount({
            listings_suspended_at: '2026-12-01T02:00:00+08:00',
            listings_suspended_reason: '健康证已过期',
          }),
        ),
    })
    await mountPortal('/partner')
    expect($('partner-vendor-code')?.textContent).toBe('K7MX2Q')
    expect($('partner-suspended')?.textContent).toContain('健康证已过期')
    expect($('partner-vendor-name')?.textContent).toBe('洁净家政')
  })

  it('has no banner for a vendor in good standing, and signs out', async () => {
    const all = fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(partnerAccount()),
      'POST /api/v1/partner/auth/logout/': () => jsonResponse(null, 204),
    })
    const { router } = await mountPortal('/partner')
    expect($('partner-suspended')).toBeNull()
    await click('partner-logout')
    await arriveAt(router, 'partner-login')
    expect(calls(all, 'POST', '/api/v1/partner/auth/logout/')[0]!.headers.Authorization).toBe(
      `Bearer ${TOKEN}`,
    )
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()
    expect(router.currentRoute.value.name).toBe('partner-login')
  })
})
