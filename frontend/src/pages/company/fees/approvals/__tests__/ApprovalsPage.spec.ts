import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
} from '../../../basic-data/__tests__/helpers'
import { refund } from '../../__tests__/fixtures'
import ApprovalsPage from '../ApprovalsPage.vue'

const APPROVER = ['fees.view', 'fees.collect', 'fees.approve']
const APPROVER_NOT_AT_DESK = ['fees.view', 'fees.approve']

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('审批 · 原路退款', () => {
  it('shows a failed channel refund and retries it', async () => {
    let current = refund()
    const all = fakeApi({
      'GET /api/v1/waivers/': () => page([]),
      'GET /api/v1/refunds/': () => page([current]),
      'POST /api/v1/refunds/9/retry-channel/': () => {
        current = { ...current, channel_status: 'processing', payout_status: 'refunding' }
        return jsonResponse(current)
      },
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-payout-9')).not.toBeNull())
    expect($('refund-payout-9')?.textContent).toContain('退款失败')
    await click('refund-retry-9')
    await click('refund-retry-9-confirm')
    expect(calls(all, 'POST', '/api/v1/refunds/9/retry-channel/')).toHaveLength(1)
    await vi.waitFor(() => expect($('refund-payout-9')?.textContent).toContain('退款中'))
    expect($('refund-retry-9')).toBeNull()
    expect($('refund-pay-cash-9')).toBeNull()
  })

  it('offers no retry nor cash while the refund is under way, done or pending', async () => {
    fakeApi({
      'GET /api/v1/waivers/': () => page([]),
      'GET /api/v1/refunds/': () =>
        page([
          refund({ id: 1, channel_status: 'refunded', payout_status: 'refunded' }),
          refund({ id: 2, channel_status: 'processing', payout_status: 'refunding' }),
          refund({ id: 3, method: 'cash', channel_status: '', payout_status: 'refunded' }),
          refund({ id: 4, status: 'pending', channel_status: '', payout_status: '' }),
        ]),
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-payout-1')).not.toBeNull())
    expect($('refund-payout-1')?.textContent).toContain('已退款')
    expect($('refund-payout-2')?.textContent).toContain('退款中')
    expect($('refund-payout-3')?.textContent).toContain('已退款')
    expect($('refund-payout-4')).toBeNull()
    const buttons = [1, 2, 3, 4].flatMap((id) => [`refund-retry-${id}`, `refund-pay-cash-${id}`])
    expect(buttons.map((id) => $(id)).filter(Boolean)).toEqual([])
  })

  it('pays a failed refund out in cash at the desk', async () => {
    let current = refund()
    const all = fakeApi({
      'GET /api/v1/waivers/': () => page([]),
      'GET /api/v1/refunds/': () => page([current]),
      'POST /api/v1/refunds/9/pay-cash/': () => {
        current = {
          ...current,
          method: 'cash',
          payout_status: 'refunded',
          refunded_at: '2026-03-02T10:00:00+08:00',
          paid_out_by_name: '收银员',
          replaced_refund_no: 'RW0001-1',
        }
        return jsonResponse(current)
      },
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-pay-cash-9')).not.toBeNull())
    expect($('refund-pay-cash-9')?.textContent).toContain('改为现金退款')
    await click('refund-pay-cash-9')
    await click('refund-pay-cash-9-confirm')
    const sent = calls(all, 'POST', '/api/v1/refunds/9/pay-cash/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0])).toEqual({ confirm_amount: '120.00' })
    await vi.waitFor(() => expect($('refund-payout-9')?.textContent).toContain('已退款'))
    expect($('refund-pay-cash-9')).toBeNull()
    expect($('refund-retry-9')).toBeNull()
  })

  it('shows no cash button to someone who does not collect fees', async () => {
    fakeApi({
      'GET /api/v1/waivers/': () => page([]),
      'GET /api/v1/refunds/': () => page([refund()]),
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER_NOT_AT_DESK })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-retry-9')).not.toBeNull())
    expect($('refund-pay-cash-9')).toBeNull()
  })
})
