import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import { ApiError } from '@/api/http'
import { partnerApi } from '@/api/partnerPortal'
import { calls, fakeApi } from '@/pages/company/basic-data/__tests__/helpers'
import { useAuthStore } from '@/stores/auth'
import { PARTNER_TOKEN_KEY, usePartnerStore } from '@/stores/partner'
import { jsonResponse } from '@/test/http'
import { partnerAccount, partnerToken } from '@/test/partner'

const EXPIRED = () =>
  jsonResponse({ code: 'authentication_failed', message: '令牌无效或已过期。', fields: {} }, 401)

beforeEach(() => {
  document.cookie = 'csrftoken=test-token' // unsafe requests read it here rather than asking
  window.localStorage.clear()
  setActivePinia(createPinia())
})

describe('partner store', () => {
  it('keeps the token from login under its own key and sends it only to partner calls', async () => {
    const all = fakeApi({
      'POST /api/v1/partner/auth/login/': () => jsonResponse(partnerToken('tok-1')),
      'GET /api/v1/partner/documents/': () =>
        jsonResponse({ count: 0, next: null, previous: null, results: [] }),
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: false }),
    })
    const partner = usePartnerStore()
    await partner.login('13900001111', 'Vendor-pass-2026')
    expect(partner.signedIn).toBe(true)
    expect(partner.vendor?.code).toBe('K7MX2Q')
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBe('tok-1')
    // the login itself carries no token
    expect(
      calls(all, 'POST', '/api/v1/partner/auth/login/')[0]!.headers.Authorization,
    ).toBeUndefined()

    await partner.call((auth) => partnerApi.documents(auth))
    expect(calls(all, 'GET', '/api/v1/partner/documents/')[0]!.headers.Authorization).toBe(
      'Bearer tok-1',
    )
    // the company admin's requests never carry it
    await useAuthStore().ensureLoaded()
    expect(calls(all, 'GET', '/api/v1/auth/session/')[0]!.headers.Authorization).toBeUndefined()
  })

  it('signs up and is signed in at once', async () => {
    fakeApi({ 'POST /api/v1/partner/signup/': () => jsonResponse(partnerToken('tok-new'), 201) })
    const partner = usePartnerStore()
    await partner.signup({
      name: '洁净家政',
      kind: 'housekeeping',
      contact_name: '王经理',
      phone: '13900001111',
      password: 'Vendor-pass-2026',
    })
    expect(partner.token).toBe('tok-new')
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBe('tok-new')
  })

  it('finds the stored token on a new page load and asks who it belongs to', async () => {
    window.localStorage.setItem(PARTNER_TOKEN_KEY, 'tok-stored')
    setActivePinia(createPinia())
    const all = fakeApi({ 'GET /api/v1/partner/me/': () => jsonResponse(partnerAccount()) })
    const partner = usePartnerStore()
    expect((await partner.ensureLoaded())?.vendor.name).toBe('洁净家政')
    expect(calls(all, 'GET', '/api/v1/partner/me/')[0]!.headers.Authorization).toBe(
      'Bearer tok-stored',
    )
    await partner.ensureLoaded()
    expect(calls(all, 'GET', '/api/v1/partner/me/')).toHaveLength(1)
  })

  it('asks nothing without a token', async () => {
    const all = fakeApi({})
    expect(await usePartnerStore().ensureLoaded()).toBeNull()
    expect(all).toHaveLength(0)
  })

  it('forgets the token on a 401 from any partner call', async () => {
    window.localStorage.setItem(PARTNER_TOKEN_KEY, 'tok-old')
    setActivePinia(createPinia())
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(partnerAccount()),
      'GET /api/v1/partner/admissions/': EXPIRED,
    })
    const partner = usePartnerStore()
    await partner.ensureLoaded()
    expect(partner.signedIn).toBe(true)
    await expect(partner.call((auth) => partnerApi.admissions(auth))).rejects.toBeInstanceOf(
      ApiError,
    )
    expect(partner.signedIn).toBe(false)
    expect(partner.token).toBeNull()
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()
  })

  it('an expired stored token means signed out, not an error', async () => {
    window.localStorage.setItem(PARTNER_TOKEN_KEY, 'tok-expired')
    setActivePinia(createPinia())
    fakeApi({ 'GET /api/v1/partner/me/': EXPIRED })
    const partner = usePartnerStore()
    expect(await partner.ensureLoaded()).toBeNull()
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()
  })

  it('a wrong password leaves any sign-in as it was and rejects with the reason', async () => {
    fakeApi({
      'POST /api/v1/partner/auth/login/': () =>
        jsonResponse(
          { code: 'invalid_credentials', message: '手机号或密码错误。', fields: {} },
          401,
        ),
    })
    const partner = usePartnerStore()
    await expect(partner.login('13900001111', 'nope')).rejects.toMatchObject({
      code: 'invalid_credentials',
    })
    expect(partner.signedIn).toBe(false)
  })

  it('logout revokes the token and forgets it, even when the server cannot be reached', async () => {
    const all = fakeApi({
      'POST /api/v1/partner/auth/login/': () => jsonResponse(partnerToken('tok-2')),
      'POST /api/v1/partner/auth/logout/': () => jsonResponse(null, 204),
    })
    const partner = usePartnerStore()
    await partner.login('13900001111', 'Vendor-pass-2026')
    await partner.logout()
    expect(calls(all, 'POST', '/api/v1/partner/auth/logout/')[0]!.headers.Authorization).toBe(
      'Bearer tok-2',
    )
    expect(partner.token).toBeNull()
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()

    fakeApi({
      'POST /api/v1/partner/auth/login/': () => jsonResponse(partnerToken('tok-3')),
      'POST /api/v1/partner/auth/logout/': () => Promise.reject(new TypeError('offline')),
    })
    await partner.login('13900001111', 'Vendor-pass-2026')
    await expect(partner.logout()).rejects.toMatchObject({ code: 'network_error' })
    expect(partner.token).toBeNull()
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()
  })
})
