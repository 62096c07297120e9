import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PartnerAdmission, PartnerDocument } from '@/api/partnerPortal'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  page,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import { PARTNER_TOKEN_KEY } from '@/stores/partner'
import { jsonResponse } from '@/test/http'

import { arriveAt, mountPortal, TOKEN } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

const ME = {
  id: 7,
  name: '王经理',
  phone_masked: '139****1111',
  role: 'manager',
  permissions: ['partner.manage', 'partner.view'],
  vendor: {
    code: 'K7MX2Q',
    name: '洁净家政',
    kind: 'housekeeping',
    contact_name: '王经理',
    phone_masked: '139****1111',
    listings_suspended_at: null,
    listings_suspended_reason: '',
  },
}

const document_ = (over: Partial<PartnerDocument> = {}): PartnerDocument => ({
  id: 21,
  kind: 'business_licence',
  number: '91310000MA1FL0001',
  expires_on: '2099-12-31',
  uploaded_at: '2026-12-01T08:00:00+08:00',
  expired: false,
  ...over,
})

const admission = (over: Partial<PartnerAdmission> = {}): PartnerAdmission => ({
  id: 31,
  company: 'alpha',
  company_name: '阿尔法物业',
  status: 'approved',
  commission_rate: '0.0825',
  estates_count: 2,
  note: '',
  updated_at: '2026-12-02T08:00:00+08:00',
  ...over,
})

describe('资质文件', () => {
  it('lists the documents with the lapsed one marked, and uploads one as multipart with the token', async () => {
    const all = fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/documents/': () =>
        page([
          document_(),
          document_({
            id: 22,
            kind: 'health_certificate',
            expires_on: '2026-01-31',
            expired: true,
          }),
        ]),
      'POST /api/v1/partner/documents/': () => jsonResponse(document_({ id: 23 }), 201),
    })
    await mountPortal('/partner/documents')
    expect($('partner-document-expired-22')?.textContent).toContain('已过期')
    expect($('partner-document-expired-21')).toBeNull()
    expect($('partner-documents')?.textContent).toContain('健康证')

    await click('partner-document-upload')
    await click('partner-document-form-submit')
    await settle()
    expect(fieldError('partner-document-number')).toBe('请填写证件编号')
    expect(fieldError('partner-document-file')).toBe('请选择文件')

    await type('partner-document-number', ' 91310000MA1FL0001 ')
    const input = $('partner-document-file') as HTMLInputElement
    Object.defineProperty(input, 'files', {
      value: [new File(['%PDF-1.4'], 'licence.pdf', { type: 'application/pdf' })],
    })
    input.dispatchEvent(new Event('change'))
    await flushPromises()
    expect($('partner-document-file-name')?.textContent).toBe('licence.pdf')
    await click('partner-document-form-submit')

    const sent = calls(all, 'POST', '/api/v1/partner/documents/')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    const form = sent[0]!.body as FormData
    expect(form.get('kind')).toBe('business_licence')
    expect(form.get('number')).toBe('91310000MA1FL0001')
    expect(form.get('expires_on')).toBeNull()
    expect((form.get('file') as File).name).toBe('licence.pdf')
    expect(calls(all, 'GET', '/api/v1/partner/documents/')).toHaveLength(2) // listed again
  })

  it('says so when there is nothing yet', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/documents/': () => page([]),
    })
    await mountPortal('/partner/documents')
    expect($('partner-documents')?.textContent).toContain('还没有资质文件')
  })

  it('a 401 (the token expired) forgets the token and goes back to sign in', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/documents/': () =>
        jsonResponse(
          { code: 'authentication_failed', message: '令牌无效或已过期。', fields: {} },
          401,
        ),
    })
    const { router } = await mountPortal('/partner/documents')
    await arriveAt(router, 'partner-login')
    expect(router.currentRoute.value.query.next).toBe('/partner/documents')
    expect(window.localStorage.getItem(PARTNER_TOKEN_KEY)).toBeNull()
  })
})

describe('合作物业', () => {
  function backend() {
    return fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () =>
        page([
          admission(),
          admission({
            id: 32,
            company: 'beta',
            company_name: '贝塔物业',
            status: 'invited',
            commission_rate: '0.0000',
            estates_count: 0,
          }),
          admission({
            id: 33,
            company: 'gamma',
            company_name: '伽马物业',
            status: 'rejected',
            commission_rate: '0.0000',
            estates_count: 0,
            note: '资质不全',
          }),
        ]),
      'POST /api/v1/partner/admissions/': (call) =>
        jsonResponse(
          admission({ id: 40, company: String(bodyOf(call).company), status: 'applied' }),
          201,
        ),
    })
  }

  it('lists the companies with status, commission and estates', async () => {
    backend()
    await mountPortal('/partner/admissions')
    expect($('partner-admission-company-31')?.textContent).toBe('阿尔法物业')
    expect($('partner-admission-status-31')?.textContent).toContain('已准入')
    expect($('partner-admission-commission-31')?.textContent).toBe('8.25%')
    expect($('partner-admission-commission-32')?.textContent).toBe('—')
    expect($('partner-admissions')?.textContent).toContain('2 个小区')
    expect($('partner-admissions')?.textContent).toContain('资质不全')
    expect($('partner-admission-apply-31')).toBeNull()
  })

  it('applies to a company by its code, and accepts an invitation', async () => {
    const all = backend()
    await mountPortal('/partner/admissions')
    await click('partner-apply')
    await type('partner-apply-company', ' Delta ')
    await click('partner-apply-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner/admissions/')
    expect(bodyOf(sent[0]!)).toEqual({ company: 'delta' })
    expect(sent[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)

    await click('partner-admission-apply-32')
    await click('partner-admission-apply-32-confirm')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/admissions/')[1]!)).toEqual({
      company: 'beta',
    })
  })

  it('shows a staff account the list without the moves', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () =>
        jsonResponse({ ...ME, role: 'staff', permissions: ['partner.view'] }),
      'GET /api/v1/partner/admissions/': () => page([admission({ status: 'invited' })]),
    })
    await mountPortal('/partner/admissions')
    expect($('partner-admission-status-31')).not.toBeNull()
    expect($('partner-apply')).toBeNull()
    expect($('partner-admission-apply-31')).toBeNull()
  })
})
