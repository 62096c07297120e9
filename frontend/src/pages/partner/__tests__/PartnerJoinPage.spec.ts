import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PartnerAccount, PartnerAdmission, PartnerInvitation } from '@/api/partnerPortal'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  page,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import { jsonResponse } from '@/test/http'
import { partnerAccount, partnerToken } from '@/test/partner'

import { arriveAt, mountPortal, TOKEN } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
  document.body.innerHTML = ''
})

const INVITE = 'inv-7f3a9c'
const JOIN = `/partner/join?invite=${INVITE}`

const invitation = (over: Partial<PartnerInvitation> = {}): PartnerInvitation => ({
  company: '阿尔法物业',
  name: '洁净家政',
  contact_name: '王经理',
  phone_masked: '139****1111',
  expires_at: '2026-12-08T09:00:00+08:00',
  state: 'pending',
  ...over,
})

const admission: PartnerAdmission = {
  id: 31,
  company: 'alpha',
  company_name: '阿尔法物业',
  status: 'applied',
  commission_rate: '0.0000',
  estates_count: 0,
  note: '',
  updated_at: '2026-12-02T08:00:00+08:00',
}

const STAFF: PartnerAccount = { ...partnerAccount(), role: 'staff', permissions: ['partner.view'] }

function backend({
  offer = () => jsonResponse(invitation()) as Response,
  accept = () => jsonResponse(admission, 201) as Response,
  me = partnerAccount(),
} = {}) {
  return fakeApi({
    [`GET /api/v1/partner/invitations/${INVITE}/`]: offer,
    'POST /api/v1/partner/invitations/accept/': accept,
    'GET /api/v1/partner/me/': () => jsonResponse(me),
    'POST /api/v1/partner/auth/login/': () => jsonResponse(partnerToken('tok-9')),
    'POST /api/v1/partner/signup/': () => jsonResponse(partnerToken('tok-new'), 201),
    'GET /api/v1/partner/admissions/': () => page([admission]),
    'GET /api/v1/partner/orders/': () => page([]),
    'GET /api/v1/partner/notices/': () => page([]),
  })
}

const stale = (code: string, message: string) =>
  jsonResponse({ code, message, fields: {} }, 409) as Response

describe('入驻邀请, signed out', () => {
  it('says who invites, and signs up with the invitation: it applies to the company too', async () => {
    const all = backend()
    const { router } = await mountPortal(JOIN, { signedIn: false })
    expect($('partner-join-invites')?.textContent).toContain('阿尔法物业 邀请您入驻')
    expect($('partner-join-details')?.textContent).toContain('洁净家政')
    expect($('partner-join-details')?.textContent).toContain('2026-12-08 09:00')
    expect($('partner-join-stale')).toBeNull()
    expect($('partner-join-accept')).toBeNull()

    await click('partner-join-signup')
    await arriveAt(router, 'partner-signup')
    expect(router.currentRoute.value.query.invite).toBe(INVITE)
    expect($('partner-signup-invitation')?.textContent).toContain('阿尔法物业 邀请您入驻')
    // The names the company gave start the form.
    expect(($('partner-signup-name') as HTMLInputElement).value).toBe('洁净家政')
    expect(($('partner-signup-contact') as HTMLInputElement).value).toBe('王经理')
    await type('partner-signup-phone', '13900001111')
    await type('partner-signup-password', 'Vendor-pass-2026')
    await click('partner-signup-submit')
    await arriveAt(router, 'partner-admissions')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/signup/')[0]!)).toEqual({
      name: '洁净家政',
      kind: 'housekeeping',
      contact_name: '王经理',
      phone: '13900001111',
      password: 'Vendor-pass-2026',
      invitation: INVITE,
    })
  })

  it('with an account: signs in, comes back to the invitation and accepts it', async () => {
    const all = backend()
    const { router } = await mountPortal(JOIN, { signedIn: false })
    await click('partner-join-login')
    await arriveAt(router, 'partner-login')
    expect(router.currentRoute.value.query.next).toBe(JOIN)
    await type('partner-login-phone', '13900001111')
    await type('partner-login-password', 'Vendor-pass-2026')
    await click('partner-login-submit')
    await arriveAt(router, 'partner-join')
    expect(router.currentRoute.value.query.invite).toBe(INVITE)
    expect($('partner-join-account')?.textContent).toContain('洁净家政')

    await click('partner-join-accept')
    await arriveAt(router, 'partner-admissions')
    const sent = calls(all, 'POST', '/api/v1/partner/invitations/accept/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ token: INVITE })
    expect(sent[0]!.headers.Authorization).toBe('Bearer tok-9')
  })

  it('keeps the invitation from the sign-in page’s 注册 link, and from the sign-up’s 登录 link', async () => {
    backend()
    const { router } = await mountPortal(`/partner/login?next=${encodeURIComponent(JOIN)}`, {
      signedIn: false,
    })
    await click('partner-to-signup')
    await arriveAt(router, 'partner-signup')
    expect(router.currentRoute.value.query.invite).toBe(INVITE)
    await click('partner-to-login')
    await arriveAt(router, 'partner-login')
    expect(router.currentRoute.value.query.next).toBe(JOIN)
  })

  it('signs up without an invitation no longer open, saying so', async () => {
    const all = backend({ offer: () => jsonResponse(invitation({ state: 'expired' })) })
    const { router } = await mountPortal(`/partner/signup?invite=${INVITE}`, { signedIn: false })
    expect($('partner-signup-invitation')).toBeNull()
    expect($('partner-signup-invitation-stale')?.textContent).toContain('邀请链接已失效')
    await type('partner-signup-name', '洁净家政')
    await type('partner-signup-contact', '王经理')
    await type('partner-signup-phone', '13900001111')
    await type('partner-signup-password', 'Vendor-pass-2026')
    await click('partner-signup-submit')
    await arriveAt(router, 'partner-overview')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/signup/')[0]!)).not.toHaveProperty(
      'invitation',
    )
  })
})

describe('入驻邀请, signed in', () => {
  it('a manager accepts at once; the sign-up link of the invitation leads here too', async () => {
    const all = backend()
    const { router } = await mountPortal(`/partner/signup?invite=${INVITE}`)
    expect(router.currentRoute.value.name).toBe('partner-join')
    expect(router.currentRoute.value.query.invite).toBe(INVITE)
    expect($('partner-join-signup')).toBeNull()
    await click('partner-join-accept')
    await arriveAt(router, 'partner-admissions')
    expect(
      calls(all, 'POST', '/api/v1/partner/invitations/accept/')[0]!.headers.Authorization,
    ).toBe(`Bearer ${TOKEN}`)
  })

  it('says so when the invitation went stale meanwhile', async () => {
    backend({ accept: () => stale('invitation_revoked', '该邀请已撤销。') })
    const { router } = await mountPortal(JOIN)
    await click('partner-join-accept')
    expect($('partner-join-stale')?.textContent).toContain('物业公司已撤销该邀请')
    expect($('partner-join-accept')).toBeNull()
    expect(router.currentRoute.value.name).toBe('partner-join')
    await click('partner-join-to-portal')
    await arriveAt(router, 'partner-admissions')
  })

  it('a staff account may not accept: it is told to sign in as the manager', async () => {
    const all = backend({ me: STAFF })
    await mountPortal(JOIN)
    expect($('partner-join-accept')?.hasAttribute('disabled')).toBe(true)
    expect($('partner-join-manager-only')?.textContent).toContain('只有负责人可以接受邀请')
    await click('partner-join-accept')
    expect(calls(all, 'POST', '/api/v1/partner/invitations/accept/')).toHaveLength(0)
  })

  it('another account signs out here and gets the signed-out paths', async () => {
    const all = fakeApi({
      [`GET /api/v1/partner/invitations/${INVITE}/`]: () => jsonResponse(invitation()),
      'GET /api/v1/partner/me/': () => jsonResponse(partnerAccount()),
      'POST /api/v1/partner/auth/logout/': () => jsonResponse(null, 204),
    })
    const { router } = await mountPortal(JOIN)
    await click('partner-join-switch')
    expect(calls(all, 'POST', '/api/v1/partner/auth/logout/')).toHaveLength(1)
    expect(router.currentRoute.value.name).toBe('partner-join')
    expect($('partner-join-signup')).not.toBeNull()
    expect($('partner-join-login')).not.toBeNull()
  })
})

describe('入驻邀请 no longer open', () => {
  it.each([
    ['accepted', '该邀请已被接受'],
    ['expired', '该邀请已过期'],
    ['revoked', '物业公司已撤销该邀请'],
  ] as const)('%s: says so, and offers the sign-in page', async (state, text) => {
    backend({ offer: () => jsonResponse(invitation({ state })) })
    const { router } = await mountPortal(JOIN, { signedIn: false })
    expect($('partner-join-stale')?.textContent).toContain(text)
    expect($('partner-join-signup')).toBeNull()
    expect($('partner-join-login')).toBeNull()
    await click('partner-join-to-login')
    await arriveAt(router, 'partner-login')
  })

  it('a link naming no invitation (404), or none at all', async () => {
    backend({
      offer: () => jsonResponse({ code: 'not_found', message: '未找到。', fields: {} }, 404),
    })
    await mountPortal(JOIN, { signedIn: false })
    expect($('partner-join-stale')?.textContent).toContain('邀请链接无效')
    expect($('partner-join-details')).toBeNull()
    document.body.innerHTML = ''
    const all = backend()
    await mountPortal('/partner/join', { signedIn: false })
    expect($('partner-join-stale')?.textContent).toContain('邀请链接无效')
    expect(all).toHaveLength(0)
  })
})
