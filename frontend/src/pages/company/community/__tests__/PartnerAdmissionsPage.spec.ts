import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Admission, AdmissionDetail } from '@/api/partners'
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
  queryOf,
  settle,
  TREE,
  type,
} from '../../basic-data/__tests__/helpers'
import PartnerAdmissionDrawer from '../PartnerAdmissionDrawer.vue'
import PartnerAdmissionsPage from '../PartnerAdmissionsPage.vue'

const VENDOR = {
  id: 3,
  code: 'K7MX2Q',
  name: '洁净家政',
  kind: 'housekeeping' as const,
  contact_name: '王经理',
  phone: '13900001111',
  listings_suspended_at: null,
}

function admission(fields: Partial<Admission> = {}): Admission {
  return {
    id: 5,
    vendor: VENDOR,
    status: 'applied',
    estate_ids: [],
    commission_rate: '0.0000',
    documents_reviewed_at: null,
    note: '',
    created_at: '2026-12-01T09:00:00+08:00',
    updated_at: '2026-12-02T09:00:00+08:00',
    ...fields,
  }
}

function detail(fields: Partial<AdmissionDetail> = {}): AdmissionDetail {
  return {
    ...admission(fields),
    documents: [
      {
        id: 21,
        kind: 'business_licence',
        number: '91310000MA1FL0001',
        expires_on: '2099-12-31',
        uploaded_at: '2026-12-01T08:00:00+08:00',
        expired_at: null,
      },
      {
        id: 22,
        kind: 'health_certificate',
        number: 'JK-001',
        expires_on: '2026-01-31',
        uploaded_at: '2025-02-01T08:00:00+08:00',
        expired_at: '2026-02-01T00:00:00+08:00',
      },
    ],
    ...fields,
  }
}

function backend(current: () => AdmissionDetail = () => detail()) {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/partner-admissions/': () =>
      page([
        admission(),
        admission({
          id: 6,
          status: 'approved',
          estate_ids: [1],
          commission_rate: '0.0500',
          vendor: { ...VENDOR, id: 4, code: 'P2RS7T', name: '好邻居超市', kind: 'merchant' },
        }),
      ]),
    'GET /api/v1/partner-admissions/5/': () => jsonResponse(current()),
    'GET /api/v1/partner-admissions/5/documents/21/file/': () =>
      new Response('%PDF-1.4', {
        status: 200,
        headers: { 'Content-Disposition': 'attachment; filename="licence.pdf"' },
      }),
    'POST /api/v1/partner-admissions/invite/': (call) =>
      jsonResponse(admission({ id: 9, status: 'invited', ...(bodyOf(call) as object) }), 201),
    'POST /api/v1/partner-admissions/5/approve/': (call) =>
      jsonResponse(admission({ status: 'approved', ...(bodyOf(call) as Partial<Admission>) })),
    'POST /api/v1/partner-admissions/5/terms/': (call) =>
      jsonResponse(admission({ status: 'approved', ...(bodyOf(call) as Partial<Admission>) })),
    'POST /api/v1/partner-admissions/5/reject/': (call) =>
      jsonResponse(admission({ status: 'rejected', note: String(bodyOf(call).reason) })),
    'POST /api/v1/partner-admissions/5/suspend/': (call) =>
      jsonResponse(admission({ status: 'suspended', note: String(bodyOf(call).reason) })),
    'POST /api/v1/partner-admissions/5/reinstate/': () =>
      jsonResponse(admission({ status: 'approved' })),
  })
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const mount = (permissions = ['partners.manage']) =>
  mountPage(PartnerAdmissionsPage, {
    path: '/community/partners',
    permissions,
    modules: ['community'],
  })

function pickEstates(wrapper: Awaited<ReturnType<typeof mount>>['wrapper'], ids: number[]) {
  const select = wrapper
    .findComponent(PartnerAdmissionDrawer)
    .findAllComponents({ name: 'ElSelect' })
    .find((c) => c.attributes('data-testid') === 'admission-terms-estates')!
  select.vm.$emit('update:modelValue', ids)
}

describe('服务商准入', () => {
  it('lists the admissions with status, commission as a percent and estates; filters by status', async () => {
    const all = backend()
    const { wrapper } = await mount()
    expect($('admission-5')?.textContent).toContain('洁净家政')
    expect($('admission-status-5')?.textContent).toContain('待审核')
    expect($('admission-status-6')?.textContent).toContain('已准入')
    const text = $('partner-admissions-page')!.textContent!
    expect(text).toContain('5%')
    expect(text).toContain('1 个小区')
    expect(text).toContain('K7MX2Q')

    const status = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((c) => c.attributes('data-testid') === 'filter-status')!
    status.vm.$emit('update:modelValue', 'applied')
    status.vm.$emit('change', 'applied')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner-admissions/').at(-1)!)).toMatchObject({
      status: 'applied',
    })
  })

  it('invites a vendor by its code', async () => {
    const all = backend()
    await mount()
    await click('partner-invite')
    await type('partner-invite-code', ' k7mx2q ')
    await click('partner-invite-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner-admissions/invite/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ vendor_code: 'K7MX2Q' })
  })

  it('shows the vendor and its documents, the lapsed one marked, each downloadable', async () => {
    const all = backend()
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    const save = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await mount()
    await click('admission-view-5')
    expect($('detail-drawer')?.textContent).toContain('13900001111')
    expect($('document-expired-22')?.textContent).toContain('已过期')
    expect($('document-expired-21')).toBeNull()
    expect($('document-expires-21')?.textContent).toContain('2099-12-31')
    await click('document-download-21')
    expect(calls(all, 'GET', '/api/v1/partner-admissions/5/documents/21/file/')).toHaveLength(1)
    expect(save).toHaveBeenCalledTimes(1)
  })

  it('approves for chosen estates at a percent sent as a four-place fraction', async () => {
    const all = backend()
    const { wrapper } = await mount()
    await click('admission-5')
    expect($('admission-terms')).toBeNull() // only once approved
    await click('admission-approve')
    pickEstates(wrapper, [1, 2])
    await type('admission-terms-commission', '8.25')
    await click('admission-terms-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner-admissions/5/approve/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ estate_ids: [1, 2], commission_rate: '0.0825' })
  })

  it('refuses a commission that is no percent, without asking the server', async () => {
    const all = backend()
    const { wrapper } = await mount()
    await click('admission-5')
    await click('admission-approve')
    pickEstates(wrapper, [1])
    await type('admission-terms-commission', '150')
    await click('admission-terms-form-submit')
    await settle()
    expect(fieldError('admission-terms-commission')).toContain('0 到 99.99')
    expect(calls(all, 'POST', '/api/v1/partner-admissions/5/approve/')).toHaveLength(0)
  })

  it('edits the terms of an approved vendor, starting from the current ones', async () => {
    const all = backend(() =>
      detail({ status: 'approved', estate_ids: [1], commission_rate: '0.0500' }),
    )
    const { wrapper } = await mount()
    await click('admission-5')
    expect($('admission-approve')).toBeNull()
    await click('admission-terms')
    expect(($('admission-terms-commission') as HTMLInputElement).value).toBe('5')
    pickEstates(wrapper, [1, 2])
    await type('admission-terms-commission', '6.5')
    await click('admission-terms-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner-admissions/5/terms/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ estate_ids: [1, 2], commission_rate: '0.0650' })
  })

  it('rejects with a reason, and suspends an approved one with a reason', async () => {
    let state = detail()
    const all = backend(() => state)
    await mount()
    await click('admission-5')
    await click('admission-reject')
    await click('admission-reason-form-submit')
    expect(calls(all, 'POST', '/api/v1/partner-admissions/5/reject/')).toHaveLength(0)
    await type('admission-reason', '资质不全')
    await click('admission-reason-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner-admissions/5/reject/')[0]!)).toEqual({
      reason: '资质不全',
    })

    state = detail({ status: 'approved', estate_ids: [1], commission_rate: '0.0500' })
    document.body.innerHTML = ''
    await mount()
    await click('admission-5')
    await click('admission-suspend')
    // What suspending does to the vendor's orders is said before it is done.
    expect($('admission-suspend-hint')?.textContent).toContain('尚未开始的订单将被取消')
    await type('admission-reason', '投诉较多')
    await click('admission-reason-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner-admissions/5/suspend/')[0]!)).toEqual({
      reason: '投诉较多',
    })
  })

  it('reinstates a suspended vendor after asking', async () => {
    const all = backend(() => detail({ status: 'suspended', note: '投诉较多' }))
    await mount()
    await click('admission-5')
    expect($('detail-drawer')?.textContent).toContain('投诉较多')
    await click('admission-reinstate')
    expect(calls(all, 'POST', '/api/v1/partner-admissions/5/reinstate/')).toHaveLength(0)
    await click('admission-reinstate-confirm')
    expect(calls(all, 'POST', '/api/v1/partner-admissions/5/reinstate/')).toHaveLength(1)
  })

  it('is the community tab of partners.manage, and refused without it', async () => {
    backend()
    const { router } = await mount()
    await router.push('/community')
    expect(router.currentRoute.value.name).toBe('community-partners')
    document.body.innerHTML = ''
    const other = await mount(['community.view'])
    expect(other.router.currentRoute.value.name).toBe('forbidden')
  })
})
