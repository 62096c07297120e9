import { describe, expect, it } from 'vitest'

import { jsonResponse } from '@/test/http'
import BindingsPage from '@/pages/company/basic-data/BindingsPage.vue'

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
  type,
  VIEW,
} from './helpers'

const BINDING = {
  id: 7,
  house: { id: 101, label: '1栋1单元101', estate_name: '阳光花园' },
  relation: 'owner',
  name: '王芳',
  status: 'pending',
  reason: '',
  created_at: '2026-03-01T02:00:00Z',
  decided_at: null,
  user_phone: '138****5678',
  via_code: true,
  house_owners: [],
  record_match: { phone: false, name: false, resident_id: null },
  conflict: false,
}

const OWNER_ON_RECORD = {
  resident_id: 31,
  name: '张伟',
  relation: 'owner',
  phone: '139****2222',
  is_primary_payer: true,
  has_app_account: true,
  is_claimant: false,
}

describe('BindingsPage', () => {
  it('lists pending requests first and approves one after confirmation', async () => {
    let approved = false
    const all = fakeApi({
      'GET /api/v1/house-bindings/': () => page(approved ? [] : [BINDING]),
      'POST /api/v1/house-bindings/7/approve/': () => {
        approved = true
        return jsonResponse({ ...BINDING, status: 'approved' })
      },
    })
    await mountPage(BindingsPage, { path: '/basic-data/bindings' })
    const lists = () => calls(all, 'GET', '/api/v1/house-bindings/').map(queryOf)
    expect(lists()[0]).toEqual({ status: 'pending', page: '1', page_size: '20' })
    const row = $('binding-row-7')!.closest('tr')!
    expect(row.textContent).toContain('阳光花园 1栋1单元101')
    expect(row.textContent).toContain('房屋码')
    expect(row.textContent).toContain('待审核')

    await click('binding-approve-7')
    expect(calls(all, 'POST', '/api/v1/house-bindings/7/approve/')).toHaveLength(0)
    await click('binding-approve-7-confirm')
    expect(calls(all, 'POST', '/api/v1/house-bindings/7/approve/')).toHaveLength(1)
    expect(lists()).toHaveLength(2)
    expect($('binding-row-7')).toBeNull()
  })

  it('rejects with a reason, which is required', async () => {
    const all = fakeApi({
      'GET /api/v1/house-bindings/': () => page([BINDING]),
      'POST /api/v1/house-bindings/7/reject/': () =>
        jsonResponse({ ...BINDING, status: 'rejected', reason: '房号不符' }),
    })
    await mountPage(BindingsPage, { path: '/basic-data/bindings' })
    await click('binding-reject-7')
    await click('reject-dialog-submit')
    await settle()
    expect(fieldError('reject-reason')).toBe('请填写驳回原因')
    expect(calls(all, 'POST', '/api/v1/house-bindings/7/reject/')).toHaveLength(0)

    await type('reject-reason', '房号不符')
    await click('reject-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/house-bindings/7/reject/')[0])).toEqual({
      reason: '房号不符',
    })
    expect(calls(all, 'GET', '/api/v1/house-bindings/')).toHaveLength(2)
  })

  it('warns when the house already has an owner who is not the applicant', async () => {
    const all = fakeApi({
      'GET /api/v1/house-bindings/': () =>
        page([
          {
            ...BINDING,
            house_owners: [OWNER_ON_RECORD],
            record_match: { phone: false, name: true, resident_id: 31 },
            conflict: true,
          },
        ]),
    })
    await mountPage(BindingsPage, { path: '/basic-data/bindings' })
    expect($('binding-conflict-7')!.textContent).toContain('该房屋已有登记业主，申请人不是其本人')
    expect($('binding-phone-match-7')!.textContent).toContain('与导入记录不一致')
    expect($('binding-phone-match-7')!.dataset.match).toBe('false')
    expect($('binding-name-match-7')!.textContent).toContain('与导入记录一致')
    expect($('binding-name-match-7')!.textContent).not.toContain('不一致')
    const owners = $('binding-owners-7')!.textContent!
    expect(owners).toContain('张伟（业主）139****2222')
    expect(owners).toContain('已绑定小程序')
    // Approving asks the sharper question.
    await click('binding-approve-7')
    expect(document.body.textContent).toContain('申请人与其记录不一致。确定通过？')
    expect(calls(all, 'POST', '/api/v1/house-bindings/7/approve/')).toHaveLength(0)
  })

  it('shows a matching applicant without a warning, and a house nobody is on record for', async () => {
    fakeApi({
      'GET /api/v1/house-bindings/': () =>
        page([
          {
            ...BINDING,
            house_owners: [{ ...OWNER_ON_RECORD, name: '王芳', phone: '138****5678' }],
            record_match: { phone: true, name: true, resident_id: 31 },
          },
          { ...BINDING, id: 8, name: '赵六', status: 'approved', record_match: null },
        ]),
    })
    await mountPage(BindingsPage, { path: '/basic-data/bindings' })
    expect($('binding-conflict-7')).toBeNull()
    expect($('binding-phone-match-7')!.dataset.match).toBe('true')
    expect($('binding-name-match-7')!.dataset.match).toBe('true')
    expect($('binding-check-8')).toBeNull()
    expect($('binding-owners-8')!.textContent).toContain('暂无登记住户')
  })

  it('shows no decisions to a viewer', async () => {
    fakeApi({ 'GET /api/v1/house-bindings/': () => page([BINDING]) })
    await mountPage(BindingsPage, { path: '/basic-data/bindings', permissions: VIEW })
    expect($('binding-row-7')).not.toBeNull()
    expect($('binding-approve-7')).toBeNull()
    expect($('binding-reject-7')).toBeNull()
  })
})
