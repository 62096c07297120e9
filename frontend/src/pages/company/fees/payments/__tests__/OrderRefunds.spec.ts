import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PaymentOrderDetail, PaymentOrderRefund } from '@/api/payments'
import {
  $,
  $$,
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
import OnlinePaymentsPage from '@/pages/company/fees/payments/OnlinePaymentsPage.vue'
import { evidenceSummary } from '@/pages/company/fees/payments/evidence'
import { jsonResponse } from '@/test/http'

import { PAID, row } from './orders'

const CASHIER = ['fees.view', 'fees.collect', 'payments.view']
const MANAGER = ['fees.view', 'fees.manage', 'payments.view']
const PATH = '/fees/online-payments'

function refund(over: Partial<PaymentOrderRefund> = {}): PaymentOrderRefund {
  return {
    request_id: 12,
    source: 'purpose',
    amount: '100.00',
    method: 'original',
    reason: '多收物业费',
    status: 'approved',
    requested_by_name: '收银员小王',
    requested_at: '2026-12-01T03:00:00Z',
    decided_by_name: '财务老李',
    decided_at: '2026-12-01T03:10:00Z',
    decision_note: '',
    channel_status: 'refunded',
    out_refund_no: 'RW20261201101500ABCDEFGHJKLM-1',
    channel_refund_no: '50300000012026120100000000001',
    events: [
      {
        id: 41,
        out_refund_no: 'RW20261201101500ABCDEFGHJKLM-1',
        from_status: '',
        to_status: 'processing',
        source: 'api',
        created_at: '2026-12-01T03:10:00Z',
        evidence: { amount: '100.00', reason: '多收物业费', purpose_reference: 'refund:12' },
      },
      {
        id: 42,
        out_refund_no: 'RW20261201101500ABCDEFGHJKLM-1',
        from_status: 'processing',
        to_status: 'refunded',
        source: 'notification',
        created_at: '2026-12-01T03:11:00Z',
        evidence: {
          refund_status: 'SUCCESS',
          refund_id: '50300000012026120100000000001',
          amount: { refund: 10000, total: 128950 },
          success_time: '2026-12-01T11:11:00+08:00',
        },
      },
    ],
    ...over,
  }
}

const WITH_REFUNDS: PaymentOrderDetail = {
  ...PAID,
  status: 'partially_refunded',
  refunded_amount: '100.00',
  refundable: '1189.50',
  refunds: [
    refund(),
    refund({
      request_id: 13,
      status: 'refund_parked',
      channel_status: '',
      out_refund_no: '',
      channel_refund_no: '',
      events: [],
      decided_by_name: '',
      decided_at: null,
      amount: '20.00',
    }),
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('evidenceSummary', () => {
  it('puts the telling fields first, flattens one level and keeps to five', () => {
    expect(
      evidenceSummary({
        extra: 'x',
        amount: { refund: 10000, total: 128950 },
        refund_status: 'SUCCESS',
        refund_id: '5030',
        payer: { sub_openid: 'oal*****0000' },
        success_time: '2026-12-01',
      }),
    ).toEqual([
      ['refund_status', 'SUCCESS'],
      ['refund_id', '5030'],
      ['amount.total', '128950'],
      ['amount.refund', '10000'],
      ['success_time', '2026-12-01'],
    ])
    // WeChat Pay's notification: the facts are in its decrypted resource.
    expect(
      evidenceSummary({
        id: 'ev-1',
        event_type: 'TRANSACTION.SUCCESS',
        resource: {
          payer: { sub_openid: '' },
          amount: { total: 45276, payer_total: 45276 },
          trade_state: 'SUCCESS',
          transaction_id: '42cf',
          success_time: '2026-12-02T19:49:41+08:00',
        },
      }),
    ).toEqual([
      ['trade_state', 'SUCCESS'],
      ['transaction_id', '42cf'],
      ['amount.total', '45276'],
      ['amount.payer_total', '45276'],
      ['success_time', '2026-12-02T19:49:41+08:00'],
    ])
    expect(evidenceSummary({})).toEqual([])
    expect(evidenceSummary(null)).toEqual([])
  })
})

describe('the order drawer: refunds and evidence', () => {
  it('shows each refund with who asked and decided, its numbers and its evidence; an unknown status as sent', async () => {
    fakeApi({
      'GET /api/v1/payment-orders/': () => page([row({ status: 'partially_refunded' })]),
      'GET /api/v1/payment-orders/7/': () => jsonResponse(WITH_REFUNDS),
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: MANAGER })
    await click('order-7')
    expect($('detail-status')?.textContent).toContain('部分退款')
    // The order's trail: each event with a one-line summary of its evidence.
    expect($('evidence-summary-3')?.textContent).toContain('trade_state: SUCCESS')
    expect($('evidence-summary-3')?.textContent).toContain('transaction_id: 4200000001')

    const refunds = $$('[data-testid="payment-refund"]')
    expect(refunds).toHaveLength(2)
    const [done, other] = refunds
    expect(done.textContent).toContain('¥100.00')
    expect(done.querySelector('[data-testid="payment-refund-status"]')?.textContent).toContain(
      '已通过',
    )
    expect(
      done.querySelector('[data-testid="payment-refund-channel-status"]')?.textContent,
    ).toContain('已退款')
    expect(done.querySelector('[data-testid="payment-refund-requested-by"]')?.textContent).toBe(
      '收银员小王',
    )
    expect(done.querySelector('[data-testid="payment-refund-decided-by"]')?.textContent).toBe(
      '财务老李',
    )
    expect(done.querySelector('[data-testid="payment-refund-no"]')?.textContent).toBe(
      'RW20261201101500ABCDEFGHJKLM-1',
    )
    expect(done.querySelector('[data-testid="payment-refund-channel-no"]')?.textContent).toBe(
      '50300000012026120100000000001',
    )
    const events = done.querySelectorAll('[data-testid="refund-event"]')
    expect(events).toHaveLength(2)
    expect(events[1].textContent).toContain('退款中')
    expect(events[1].textContent).toContain('已退款')
    expect(events[1].textContent).toContain('支付通知')
    expect($('refund-evidence-summary-42')?.textContent).toContain('refund_status: SUCCESS')
    expect($('refund-evidence-42')?.textContent).toContain(
      '"refund_id": "50300000012026120100000000001"',
    )
    // A status this build does not know is shown as the server sent it.
    expect(other.querySelector('[data-testid="payment-refund-status"]')?.textContent).toContain(
      'refund_parked',
    )
    expect(other.querySelector('[data-testid="payment-refund-channel-status"]')).toBeNull()
    expect($('payment-refundable')?.textContent).toContain('¥1,189.50')
    expect($('payment-refund-request')).toBeNull() // fees.manage alone does not request refunds
  })

  it('lets a cashier request a refund within what is refundable, with a reason, and shows it pending', async () => {
    let requested = false
    const pending = refund({
      request_id: 14,
      status: 'pending',
      amount: '300.00',
      reason: '重复缴费',
      decided_by_name: '',
      decided_at: null,
      channel_status: '',
      out_refund_no: '',
      channel_refund_no: '',
      events: [],
    })
    const all = fakeApi({
      'GET /api/v1/payment-orders/': () => page([row({ status: 'paid' })]),
      'GET /api/v1/payment-orders/7/': () =>
        jsonResponse({ ...PAID, refundable: '1289.50', refunds: requested ? [pending] : [] }),
      'POST /api/v1/refunds/': () => {
        requested = true
        return jsonResponse({ id: 14, status: 'pending' }, 201)
      },
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: CASHIER })
    await click('order-7')
    expect($('payment-refunds')?.textContent).toContain('暂无退款')
    await click('payment-refund-request')
    const amount = $('payment-refund-amount-input') as HTMLInputElement
    expect(amount.value).toBe('1289.50') // all that is refundable, to start from

    await type('payment-refund-amount-input', '1300')
    await click('payment-refund-dialog-submit')
    await settle()
    expect(fieldError('payment-refund-amount-input')).toBe('退款金额不能超过可退金额 ¥1,289.50')
    expect(fieldError('payment-refund-reason')).toBe('请填写退款原因')
    expect(calls(all, 'POST', '/api/v1/refunds/')).toHaveLength(0)

    await type('payment-refund-amount-input', '300')
    await type('payment-refund-reason', '  重复缴费 ')
    await click('payment-refund-dialog-submit')
    await settle()
    const posts = calls(all, 'POST', '/api/v1/refunds/')
    expect(posts).toHaveLength(1)
    expect(bodyOf(posts[0])).toEqual({
      house: 101,
      source: 'payment',
      payment: 31,
      deposit: null,
      amount: '300.00',
      method: 'original',
      reason: '重复缴费',
    })
    expect(document.body.textContent).toContain('退款申请已提交，待他人审批')
    const [shown] = $$('[data-testid="payment-refund"]')
    expect(shown.querySelector('[data-testid="payment-refund-status"]')?.textContent).toContain(
      '待审批',
    )
    expect(shown.textContent).toContain('重复缴费')
  })

  it('offers no refund when nothing is refundable or the order never settled', async () => {
    fakeApi({
      'GET /api/v1/payment-orders/': () => page([row()]),
      'GET /api/v1/payment-orders/7/': () => jsonResponse({ ...PAID, refundable: '0.00' }),
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: CASHIER })
    await click('order-7')
    expect($('payment-refunds')).not.toBeNull()
    expect($('payment-refund-request')).toBeNull()
  })
})
