import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Refund } from '@/api/ledger'
import { jsonResponse } from '@/test/http'

import { $, calls, click, fakeApi, mountPage, page } from '../../../basic-data/__tests__/helpers'
import ApprovalsPage from '../ApprovalsPage.vue'

const APPROVER = ['fees.view', 'fees.collect', 'fees.approve']

function refund(over: Partial<Refund> = {}): Refund {
  return {
    id: 9,
    house: 3,
    house_label: '1栋1单元101',
    source: 'payment',
    payment: 41,
    deposit: null,
    amount: '120.00',
    method: 'original',
    reason: '多收退回',
    status: 'approved',
    requested_by_name: '收银员',
    decided_by_name: '管理员',
    decided_at: '2026-03-01T09:00:00+08:00',
    decision_note: '',
    channel_status: 'failed',
    created_at: '2026-03-01T08:00:00+08:00',
    ...over,
  }
}

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
        current = { ...current, channel_status: 'processing' }
        return jsonResponse(current)
      },
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-channel-9')).not.toBeNull())
    expect($('refund-channel-9')?.textContent).toContain('原路退款失败')
    await click('refund-retry-9')
    await click('refund-retry-9-confirm')
    expect(calls(all, 'POST', '/api/v1/refunds/9/retry-channel/')).toHaveLength(1)
    await vi.waitFor(() => expect($('refund-channel-9')?.textContent).toContain('退款中'))
    expect($('refund-retry-9')).toBeNull()
  })

  it('offers no retry while the channel refund is under way or done, and none for cash', async () => {
    fakeApi({
      'GET /api/v1/waivers/': () => page([]),
      'GET /api/v1/refunds/': () =>
        page([
          refund({ id: 1, channel_status: 'refunded' }),
          refund({ id: 2, channel_status: 'processing' }),
          refund({ id: 3, method: 'cash', channel_status: '' }),
        ]),
    })
    await mountPage(ApprovalsPage, { path: '/fees/approvals', permissions: APPROVER })
    await click('view-refunds')
    await vi.waitFor(() => expect($('refund-channel-1')).not.toBeNull())
    expect($('refund-channel-1')?.textContent).toContain('已原路退回')
    expect($('refund-channel-2')?.textContent).toContain('退款中')
    expect($('refund-channel-3')).toBeNull()
    expect(['refund-retry-1', 'refund-retry-2', 'refund-retry-3'].map((id) => $(id))).toEqual([
      null,
      null,
      null,
    ])
  })
})
