import { describe, expect, it, vi } from 'vitest'

import { nextSteps } from '@/api/invoices'
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
} from '@/pages/company/basic-data/__tests__/helpers'
import InvoicesPage from '@/pages/company/fees/invoices/InvoicesPage.vue'
import { jsonResponse } from '@/test/http'

const INVOICE = {
  id: 3,
  house: 7,
  house_label: '1栋1单元101',
  estate_name: '翠湖苑',
  title_kind: 'company',
  title: '杭州某某科技有限公司',
  tax_number: '91350100M000100Y43',
  email: '',
  amount: '150.00',
  status: 'requested',
  kind: '',
  invoice_code: '',
  invoice_number: '',
  issued_at: null,
  failure: '',
  reject_reason: '',
  void_reason: '',
  voided_at: null,
  void_invoice_code: '',
  void_invoice_number: '',
  has_pdf: false,
  has_void_pdf: false,
  lines: [
    { payment: 11, amount: '100.00', received_at: '2026-01-20T02:00:00Z', method: 'cash' },
    { payment: 12, amount: '50.00', received_at: '2026-01-21T02:00:00Z', method: 'wechat' },
  ],
  requested_by_name: '业主',
  decided_by_name: '',
  created_at: '2026-01-22T02:00:00Z',
}

describe('InvoicesPage', () => {
  it('offers what the status allows: issue, paper or reject when requested; void once issued', () => {
    expect(nextSteps('requested')).toEqual(['issue', 'paper', 'reject'])
    expect(nextSteps('failed')).toEqual(['issue', 'reject'])
    expect(nextSteps('issued')).toEqual(['void'])
    expect(nextSteps('issuing')).toEqual(['refresh'])
    expect(nextSteps('voided')).toEqual([])
  })

  it('lists requests, issues one, records a paper one with its number checked, and shows lines', async () => {
    let status = 'requested'
    const all = fakeApi({
      'GET /api/v1/invoices/': () => page([{ ...INVOICE, status }]),
      'POST /api/v1/invoices/3/issue/': () => {
        status = 'issuing'
        return jsonResponse({ ...INVOICE, status })
      },
      'POST /api/v1/invoices/3/paper/': () =>
        jsonResponse({ ...INVOICE, status: 'issued', kind: 'paper' }),
    })
    await mountPage(InvoicesPage, {
      path: '/fees/invoices',
      permissions: ['fees.view', 'fees.invoice'],
    })
    expect($('invoice-status-3')!.textContent).toContain('待审核')
    await click('invoice-detail-3')
    expect($('invoice-lines')!.textContent).toContain('¥100.00')
    await click('invoice-paper-3')
    await type('paper-number', '123')
    await click('invoice-paper-dialog-submit')
    await settle()
    expect(fieldError('paper-number')).toContain('8 位或 20 位')
    expect(calls(all, 'POST', '/api/v1/invoices/3/paper/')).toHaveLength(0)
    await click('invoice-paper-dialog-cancel')
    await click('invoice-issue-3')
    await settle()
    expect(calls(all, 'POST', '/api/v1/invoices/3/issue/')).toHaveLength(1)
    expect($('invoice-status-3')!.textContent).toContain('开具中')
    expect($('invoice-refresh-3')).not.toBeNull()
  })

  it('needs a reason to void, and shows a provider failure', async () => {
    const failed = {
      ...INVOICE,
      id: 4,
      status: 'failed',
      kind: 'electronic',
      failure: '22 购方税号校验不通过',
    }
    const issued = {
      ...INVOICE,
      id: 5,
      status: 'issued',
      kind: 'electronic',
      invoice_number: '00000001',
      has_pdf: true,
    }
    const all = fakeApi({
      'GET /api/v1/invoices/': () => page([failed, issued]),
      'POST /api/v1/invoices/5/void/': () => jsonResponse({ ...issued, status: 'voiding' }),
    })
    await mountPage(InvoicesPage, {
      path: '/fees/invoices',
      permissions: ['fees.view', 'fees.invoice'],
    })
    expect($('invoice-failure-4')!.textContent).toContain('购方税号校验不通过')
    expect($('invoice-pdf-5')).not.toBeNull()
    await click('invoice-void-5')
    await click('invoice-reason-dialog-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/invoices/5/void/')).toHaveLength(0)
    await type('invoice-reason', '抬头有误')
    await click('invoice-reason-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/invoices/5/void/')[0])).toEqual({
      reason: '抬头有误',
    })
  })

  it('opens the red invoice of a voided one', async () => {
    const voided = {
      ...INVOICE,
      id: 6,
      status: 'voided',
      kind: 'electronic',
      invoice_number: '00000001',
      void_invoice_number: '00000002',
      has_pdf: true,
      has_void_pdf: true,
    }
    fakeApi({ 'GET /api/v1/invoices/': () => page([voided, { ...INVOICE, id: 7, has_pdf: true }]) })
    const open = vi.spyOn(window, 'open').mockReturnValue({} as Window)
    await mountPage(InvoicesPage, { path: '/fees/invoices', permissions: ['fees.view'] })
    expect($('invoice-red-pdf-7')).toBeNull() // not voided: no red invoice
    await click('invoice-red-pdf-6')
    expect(open).toHaveBeenCalledWith('/api/v1/invoices/6/red-pdf/', '_blank')
    open.mockRestore()
  })

  it('shows no actions to someone who may only view', async () => {
    fakeApi({ 'GET /api/v1/invoices/': () => page([INVOICE]) })
    await mountPage(InvoicesPage, { path: '/fees/invoices', permissions: ['fees.view'] })
    expect($('invoice-detail-3')).not.toBeNull()
    expect($('invoice-issue-3')).toBeNull()
    expect($('invoice-settings')).toBeNull()
  })
})
