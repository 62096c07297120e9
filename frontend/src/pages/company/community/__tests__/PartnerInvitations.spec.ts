import { afterEach, describe, expect, it, vi } from 'vitest'

import type { VendorInvitation } from '@/api/partners'
import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  page,
  settle,
  type,
} from '../../basic-data/__tests__/helpers'
import PartnerAdmissionsPage from '../PartnerAdmissionsPage.vue'

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function invitation(fields: Partial<VendorInvitation> = {}): VendorInvitation {
  return {
    id: 11,
    name: '洁净家政',
    contact_name: '王经理',
    phone_masked: '139****1111',
    invited_by: '客服小王',
    created_at: '2026-12-01T09:00:00+08:00',
    sent_at: '2026-12-01T09:00:05+08:00',
    sms_error: '',
    expires_at: '2026-12-08T09:00:00+08:00',
    accepted_at: null,
    revoked_at: null,
    state: 'pending',
    vendor_name: '',
    ...fields,
  }
}

const ROWS = [
  invitation(),
  invitation({
    id: 12,
    name: '好邻居超市',
    sent_at: null,
    sms_error: '号码为空号',
  }),
  invitation({
    id: 13,
    name: '快修师傅',
    state: 'accepted',
    accepted_at: '2026-12-02T10:00:00+08:00',
    vendor_name: '快修师傅维修服务部',
  }),
  invitation({ id: 14, name: '邻里菜场', state: 'expired' }),
  invitation({
    id: 15,
    name: '阳光洗衣',
    state: 'revoked',
    revoked_at: '2026-12-03T10:00:00+08:00',
  }),
]

function backend({ create }: { create?: () => Response } = {}) {
  const rows = ROWS.map((r) => ({ ...r }))
  return fakeApi({
    'GET /api/v1/partner-admissions/': () => page([]),
    'GET /api/v1/partner-invitations/': () => page(rows),
    'POST /api/v1/partner-invitations/': (call) => {
      if (create) return create()
      const row = invitation({ id: 16, ...(bodyOf(call) as object), sent_at: null })
      rows.unshift(row)
      return jsonResponse(row, 201)
    },
    'POST /api/v1/partner-invitations/11/resend/': () =>
      jsonResponse(invitation({ expires_at: '2026-12-09T09:00:00+08:00' })),
    'POST /api/v1/partner-invitations/14/resend/': () =>
      jsonResponse({ code: 'throttled', message: '刚刚发送过，请一分钟后再试。', fields: {} }, 429),
    'POST /api/v1/partner-invitations/11/revoke/': () => {
      rows[0] = invitation({ state: 'revoked', revoked_at: '2026-12-03T10:00:00+08:00' })
      return jsonResponse(rows[0])
    },
  })
}

const mount = () =>
  mountPage(PartnerAdmissionsPage, {
    path: '/community/partners',
    permissions: ['partners.manage'],
    modules: ['community'],
  })

async function openInvitations() {
  const tab = document.querySelector<HTMLElement>('#tab-invitations')
  if (!tab) throw new Error('no 邀请记录 tab')
  tab.click()
  await settle()
}

describe('短信邀请', () => {
  it('lists the invitations with their state, and whether the text went', async () => {
    const all = backend()
    await mount()
    // 邀请记录 loads when first opened.
    expect(calls(all, 'GET', '/api/v1/partner-invitations/')).toHaveLength(0)
    await openInvitations()
    expect(calls(all, 'GET', '/api/v1/partner-invitations/')).toHaveLength(1)
    expect($('invitation-state-11')?.textContent).toContain('待接受')
    expect($('invitation-state-13')?.textContent).toContain('已接受')
    expect($('invitation-state-14')?.textContent).toContain('已过期')
    expect($('invitation-state-15')?.textContent).toContain('已撤销')
    expect($('invitation-sms-11')?.textContent).toContain('已发送 2026-12-01 09:00')
    expect($('invitation-sms-12')?.textContent).toContain('发送失败：号码为空号')
    expect($('invitation-vendor-13')?.textContent).toContain('快修师傅维修服务部')
    // Resent while open or lapsed; revoked only while open; nothing once accepted or revoked.
    expect($('invitation-resend-11')).not.toBeNull()
    expect($('invitation-resend-14')).not.toBeNull()
    expect($('invitation-revoke-11')).not.toBeNull()
    expect($('invitation-revoke-14')).toBeNull()
    for (const id of [13, 15]) {
      expect($(`invitation-resend-${id}`)).toBeNull()
      expect($(`invitation-revoke-${id}`)).toBeNull()
    }
  })

  it('invites by text: refused before asking, then the server’s field error under its input', async () => {
    const all = backend({
      create: () =>
        jsonResponse(
          {
            code: 'validation_error',
            message: '',
            fields: { phone: ['该手机号已有待接受的邀请。'] },
          },
          400,
        ),
    })
    await mount()
    await click('partner-sms-invite')
    await click('partner-sms-invite-form-submit')
    await settle()
    expect(fieldError('partner-sms-invite-name')).toBe('请填写服务商名称')
    expect(fieldError('partner-sms-invite-phone')).toContain('手机号')
    expect(calls(all, 'POST', '/api/v1/partner-invitations/')).toHaveLength(0)

    await type('partner-sms-invite-name', ' 洁净家政 ')
    await type('partner-sms-invite-contact', '王经理')
    await type('partner-sms-invite-phone', '13900001111')
    await click('partner-sms-invite-form-submit')
    await settle()
    const sent = calls(all, 'POST', '/api/v1/partner-invitations/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({
      name: '洁净家政',
      contact_name: '王经理',
      phone: '13900001111',
    })
    expect(fieldError('partner-sms-invite-phone')).toBe('该手机号已有待接受的邀请。')
  })

  it('sends the invitation, then shows it under 邀请记录', async () => {
    const all = backend()
    await mount()
    await click('partner-sms-invite')
    await type('partner-sms-invite-name', '新鲜果蔬')
    await type('partner-sms-invite-phone', '13700002222')
    await click('partner-sms-invite-form-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner-invitations/')[0]!)).toEqual({
      name: '新鲜果蔬',
      contact_name: '',
      phone: '13700002222',
    })
    expect($('invitation-name-16')?.textContent).toBe('新鲜果蔬')
    expect($('invitation-sms-16')?.textContent).toContain('发送中')

    // Sent again from 邀请记录 itself: the open list is asked again.
    await click('partner-invitations-sms')
    await type('partner-sms-invite-name', '邻里菜场')
    await type('partner-sms-invite-phone', '13700003333')
    await click('partner-sms-invite-form-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/partner-invitations/')).toHaveLength(2)
    expect(calls(all, 'GET', '/api/v1/partner-invitations/')).toHaveLength(2)
  })

  it('resends one, and says why the server would not', async () => {
    const all = backend()
    await mount()
    await openInvitations()
    await click('invitation-resend-11')
    expect(calls(all, 'POST', '/api/v1/partner-invitations/11/resend/')).toHaveLength(1)
    expect(document.body.textContent).toContain('已重新发送')
    expect(calls(all, 'GET', '/api/v1/partner-invitations/')).toHaveLength(2)

    await click('invitation-resend-14')
    expect(calls(all, 'POST', '/api/v1/partner-invitations/14/resend/')).toHaveLength(1)
    expect(document.body.textContent).toContain('刚刚发送过，请一分钟后再试')
  })

  it('revokes one after asking', async () => {
    const all = backend()
    await mount()
    await openInvitations()
    await click('invitation-revoke-11')
    expect(calls(all, 'POST', '/api/v1/partner-invitations/11/revoke/')).toHaveLength(0)
    expect(document.body.textContent).toContain('邀请链接立即失效')
    await click('invitation-revoke-11-confirm')
    expect(calls(all, 'POST', '/api/v1/partner-invitations/11/revoke/')).toHaveLength(1)
    await settle()
    expect($('invitation-state-11')?.textContent).toContain('已撤销')
    expect($('invitation-revoke-11')).toBeNull()
  })
})
