/**
 * 在线缴费: the pay store (selection, the server's quote, methods, starting an order), following an
 * order (pending is 支付处理中 until the server says otherwise) and the two screens over a scripted backend.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, bills, pay, payment, resetSession } from './support/fake-session'
import { HOUSES } from './support/fake-api'
import { houseBills, line, payment as paymentRow } from './support/bills'
import { createOrderWatch, newAttemptKey, orderView, payableIds, paymentOf } from '@/stores/pay'
import type { PaymentOrder } from '@/api/types'

const hooks = vi.hoisted(() => ({
  onShow: [] as Array<() => unknown>,
  onLoad: [] as Array<(q: Record<string, string>) => unknown>,
}))
const platformMock = vi.hoisted(() => ({
  kind: 'h5',
  navigateTo: vi.fn(),
  redirectTo: vi.fn(),
  reLaunch: vi.fn(),
  toast: vi.fn(),
  openPdf: vi.fn(async () => undefined),
  stopPullDownRefresh: vi.fn(),
  requestPayment: vi.fn(async () => undefined),
  openPaymentPage: vi.fn(),
}))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: (fn: (q: Record<string, string>) => unknown) => hooks.onLoad.push(fn),
  onHide: () => undefined,
  onUnload: () => undefined,
  onPullDownRefresh: () => undefined,
  onReachBottom: () => undefined,
}))
vi.mock('@/platform', () => ({ platform: platformMock }))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const Bills = (await import('@/pages/bills/bills.vue')).default
const PayResult = (await import('@/pages/bills/pay-result.vue')).default

async function show(page: Parameters<typeof render>[0], query: Record<string, string> = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

const HOUSE = houseBills({
  house: 202,
  house_label: '3栋2单元1101',
  overdue: [line({ id: 1, status: 'overdue', outstanding: '223.75', payable_online: true })],
  due: [
    line({ id: 2, status: 'unpaid', period_start: '2026-11-01', period_end: '2026-12-01', payable_online: true }),
    line({ id: 4, fee_item_name: '车位费', status: 'unpaid', payable_online: false }),
  ],
  totals: { due: '447.50', overdue: '223.75', late_fees_accruing: '5.59', to_pay: '676.84' },
})

function order(overrides: Partial<PaymentOrder> = {}): PaymentOrder {
  return {
    id: 77,
    purpose: 'bills',
    house: 202,
    amount: '453.09',
    description: '物业费 等 2 项',
    gateway: 'wechatpay',
    channel: 'h5',
    status: 'pending',
    out_trade_no: 'W20261201ABCDEF',
    expires_at: '2026-12-01T07:00:00Z',
    paid_at: null,
    settlement: '',
    settled_reference: '',
    created_at: '2026-12-01T06:45:00Z',
    lines: [],
    request_payment: null,
    pay_url: 'http://localhost:8000/_standins/wechatpay/pay/wx1?prepay_id=wx1&package=1',
    ...overrides,
  } as PaymentOrder
}

const quoteFor = (ids: string | undefined) => ({
  house: 202,
  lines: [],
  total: ids === '1' ? '229.34' : '453.09',
})

beforeEach(() => {
  resetSession()
  vi.clearAllMocks()
  backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
  backend.on('GET /api/v1/owner/bills/', { status: 200, data: [HOUSE] })
  backend.on('GET /api/v1/owner/payments/methods/', { status: 200, data: [{ gateway: 'wechatpay', channel: 'h5', label: '微信支付' }] })
  backend.on('GET /api/v1/owner/payments/quote/', (o) => {
    const ids = /charge_ids=([^&]*)/.exec(o.url)?.[1]
    return { status: 200, data: quoteFor(ids && decodeURIComponent(ids)) }
  })
})

describe('pay views', () => {
  it('ticks only owing lines the company takes online', () => {
    expect(payableIds(HOUSE)).toEqual([1, 2])
  })

  it('shows anything not final as processing — never paid or failed before the server says so', () => {
    expect(orderView('created')).toBe('processing')
    expect(orderView('pending')).toBe('processing')
    expect(orderView('paid')).toBe('paid')
    expect(orderView('failed')).toBe('failed')
    expect(orderView('closed')).toBe('closed')
    expect(orderView('refunded')).toBe('refunded')
  })

  it('finds the payment an order became by its settled reference', () => {
    const rows = [paymentRow({ id: 5 }), paymentRow({ id: 9 })]
    expect(paymentOf(order({ settled_reference: '9' }), rows)?.id).toBe(9)
    expect(paymentOf(order({ settled_reference: '' }), rows)).toBeNull()
  })

  it('makes a new attempt key per tap', () => {
    expect(newAttemptKey(1, () => 0.5)).not.toBe(newAttemptKey(2, () => 0.5))
    expect(newAttemptKey().length).toBeLessThanOrEqual(64)
  })
})

describe('pay store', () => {
  it('asks the server for the total of all due, then of what the owner ticks', async () => {
    await pay.open(HOUSE)
    expect(pay.state.selected).toEqual([1, 2])
    expect(pay.allSelected()).toBe(true)
    expect(pay.state.quote?.total).toBe('453.09')
    expect(backend.called()).toContain('GET /api/v1/owner/payments/quote/?house=202')
    pay.toggle(2)
    await settle()
    expect(pay.state.quote?.total).toBe('229.34')
    expect(backend.called()).toContain('GET /api/v1/owner/payments/quote/?house=202&charge_ids=1')
    pay.toggle(4) // not payable online: nothing changes
    expect(pay.state.selected).toEqual([1])
    pay.toggleAll()
    pay.toggleAll()
    await settle()
    expect(pay.state.selected).toEqual([])
    expect(pay.state.quote).toBeNull()
  })

  it('starts an order with the chosen method and says why when refused', async () => {
    let body: Record<string, unknown> = {}
    backend.on('POST /api/v1/owner/payments/', (o) => {
      body = o.data as Record<string, unknown>
      return { status: 201, data: order() }
    })
    await pay.open(HOUSE)
    const started = await pay.start()
    expect(started?.id).toBe(77)
    expect(body).toMatchObject({ house: 202, charge_ids: [], gateway: 'wechatpay', channel: 'h5' })
    expect(String(body.idempotency_key)).toMatch(/^pay-/)
    backend.on('POST /api/v1/owner/payments/', {
      status: 409,
      data: { code: 'charge_in_payment', message: '所选费用正在由他人支付中，请稍后再试。' },
    })
    expect(await pay.start()).toBeNull()
    expect(pay.state.error).toBe('所选费用正在由他人支付中，请稍后再试。')
  })
})

describe('following an order', () => {
  it('polls while pending and loads the receipt once paid', async () => {
    const scheduled: Array<() => void> = []
    const watch = createOrderWatch(backend.api, { schedule: (fn) => scheduled.push(fn) })
    const answers = [order(), order({ status: 'paid', settlement: 'allocated', settled_reference: '31', pay_url: null })]
    backend.on('GET /api/v1/owner/payments/77/', () => ({ status: 200, data: answers.shift() ?? order({ status: 'paid' }) }))
    backend.on('GET /api/v1/owner/bills/history/', {
      status: 200,
      data: { count: 1, next: null, previous: null, results: [paymentRow({ id: 31, receipt_number: 'SJ-9' })] },
    })
    await watch.follow(77)
    expect(watch.state.view).toBe('processing')
    expect(scheduled).toHaveLength(1)
    scheduled.shift()!()
    await settle()
    expect(watch.state.view).toBe('paid')
    expect(watch.state.payment?.receipt_number).toBe('SJ-9')
    expect(scheduled).toHaveLength(0) // done: nothing more to ask
  })

  it('stops asking after its limit and lets the owner refresh', async () => {
    const scheduled: Array<() => void> = []
    const watch = createOrderWatch(backend.api, { schedule: (fn) => scheduled.push(fn), maxPolls: 2 })
    backend.on('GET /api/v1/owner/payments/77/', { status: 200, data: order() })
    await watch.follow(77)
    scheduled.shift()!()
    await settle()
    expect(watch.state.gaveUp).toBe(true)
    expect(watch.state.view).toBe('processing')
  })
})

describe('bills page: paying', () => {
  it('shows the quote total, the methods and selectable lines', async () => {
    const html = await show(Bills)
    expect(one(html, 'bills-pay-total').text).toBe('¥453.09')
    expect(byTestId(html, 'bills-pay-method').map((m) => m.text)).toEqual(['微信支付'])
    expect(byTestId(html, 'bill-line-select')).toHaveLength(2) // 车位费 is not payable online
    expect(byTestId(html, 'bills-pay-note')).toHaveLength(0)
  })

  it('says where to pay when no method is offered', async () => {
    backend.on('GET /api/v1/owner/payments/methods/', { status: 200, data: [] })
    const html = await show(Bills)
    expect(byTestId(html, 'bills-pay')).toHaveLength(0)
    expect(one(html, 'bills-pay-note').text).toContain('物业服务中心')
  })
})

describe('pay result page', () => {
  it('shows 支付处理中 while pending', async () => {
    backend.on('GET /api/v1/owner/payments/77/', { status: 200, data: order() })
    const html = await show(PayResult, { order: '77' })
    expect(one(html, 'pay-result-title').text).toBe('支付处理中')
    expect(one(html, 'pay-result-page').attr('data-view')).toBe('processing')
    expect(byTestId(html, 'pay-result-retry')).toHaveLength(0)
  })

  it('shows the receipt once paid', async () => {
    backend.on('GET /api/v1/owner/payments/77/', {
      status: 200,
      data: order({ status: 'paid', settlement: 'allocated', settled_reference: '31', pay_url: null }),
    })
    backend.on('GET /api/v1/owner/bills/history/', {
      status: 200,
      data: { count: 1, next: null, previous: null, results: [paymentRow({ id: 31, receipt_number: 'SJ-9', receipt_id: 5 })] },
    })
    const html = await show(PayResult, { order: '77' })
    expect(one(html, 'pay-result-title').text).toBe('支付成功')
    expect(one(html, 'pay-result-receipt-number').text).toBe('SJ-9')
    expect(byTestId(html, 'pay-result-open-receipt')).toHaveLength(1)
  })

  it('says a failed or closed payment plainly and offers to pay again', async () => {
    backend.on('GET /api/v1/owner/payments/77/', { status: 200, data: order({ status: 'closed', pay_url: null }) })
    const html = await show(PayResult, { order: '77' })
    expect(one(html, 'pay-result-title').text).toBe('订单已关闭')
    expect(one(html, 'pay-result-closed').text).toContain('未扣款')
    expect(byTestId(html, 'pay-result-retry')).toHaveLength(1)
  })
})
