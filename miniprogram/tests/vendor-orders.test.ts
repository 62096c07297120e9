/**
 * 我的服务订单 over a scripted backend: what the owner may do with an order, cancelling, rating and
 * complaining, filtering my orders, paying an unpaid or priced one, and the order pages — status,
 * pay button, rating, who cancelled and the refund, and the payment the page was opened with.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one } from './support/render'
import { backend, vendors } from './support/fake-session'
import { bodies, hoursFromNow, ok, order, page, paymentOrder, resetVendors, show } from './support/vendors'
import { platform } from '@/platform'
import { canCancel, canComplain, canPay, canRate, scheduleText } from '@/stores/vendors'

vi.mock('@dcloudio/uni-app', () => import('./support/vendors'))
vi.mock('@/platform', () => import('./support/vendors'))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const OrdersPage = (await import('@/pages/vendor-orders/list.vue')).default
const OrderPage = (await import('@/pages/vendor-orders/detail.vue')).default

beforeEach(resetVendors)

describe('vendor views', () => {
  it('says what the owner may do with an order', () => {
    expect(canPay(order())).toBe(true)
    expect(canPay(order({ pay_by: hoursFromNow(-1) }))).toBe(false)
    expect(canPay(order({ status: 'booked' }))).toBe(false)
    // A quoted order the vendor completed with its amount: payable though its pay-by time is long past.
    expect(canPay(order({ status: 'done', pay_by: hoursFromNow(-48), awaits_payment: true }))).toBe(true)
    expect(canPay(order({ status: 'done', pay_by: hoursFromNow(-48) }))).toBe(false)
    expect(canCancel(order({ status: 'confirmed' }))).toBe(true)
    expect(canCancel(order({ status: 'in_service' }))).toBe(false)
    expect(canRate(order({ status: 'done' }))).toBe(true)
    expect(canRate(order({ status: 'rated' }))).toBe(false)
    expect(scheduleText(order())).toBe('2026-12-05 09:00–11:00')
    expect(scheduleText(order({ scheduled_start: null, scheduled_end: null }))).toBe('')
  })
})

describe('my service orders', () => {
  it('cancels with a reason and rates with stars and a comment', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order({ status: 'booked' })))
    backend.on('POST /api/v1/owner/vendor-orders/91/cancel/', ok(order({ status: 'cancelled', cancelled_by: 'owner', cancel_reason: '临时有事' })))
    await vendors.openOrder(91)
    expect(await vendors.cancelOrder('  临时有事 ')).toBe(true)
    expect(bodies('POST /api/v1/owner/vendor-orders/91/cancel/')[0]).toEqual({ reason: '临时有事' })
    expect(vendors.state.detail?.status).toBe('cancelled')

    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order({ status: 'done' })))
    backend.on('POST /api/v1/owner/vendor-orders/91/rate/', ok(order({ status: 'rated', rating: 4, rating_comment: '很干净' })))
    await vendors.openOrder(91)
    expect(await vendors.rateOrder()).toBe(false)
    expect(vendors.state.detailError).toBe('请选择评分')
    vendors.state.rating.stars = 4
    vendors.state.rating.comment = '很干净 '
    expect(await vendors.rateOrder()).toBe(true)
    expect(bodies('POST /api/v1/owner/vendor-orders/91/rate/')[0]).toEqual({ rating: 4, comment: '很干净' })
  })

  it('complains about the provider once, never with an empty text', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order({ status: 'done' })))
    backend.on('POST /api/v1/owner/vendor-orders/91/complain/', ok(order({ status: 'done', complaint: 12 })))
    await vendors.openOrder(91)
    expect(canComplain(vendors.state.detail!)).toBe(true)
    expect(await vendors.complainOrder('   ')).toBe(false)
    expect(vendors.state.detailError).toBe('请填写投诉内容')
    expect(await vendors.complainOrder(' 迟到一小时 ')).toBe(true)
    expect(bodies('POST /api/v1/owner/vendor-orders/91/complain/')).toEqual([{ description: '迟到一小时' }])
    expect(canComplain(vendors.state.detail!)).toBe(false)
    expect(canComplain(order({ status: 'unpaid' }))).toBe(false)
  })

  it('filters my orders by status, from the first page', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/', ok(page([order()])))
    await vendors.loadOrders()
    await vendors.filterOrders('unpaid')
    await vendors.filterOrders('')
    expect(backend.called().filter((c) => c.includes('/vendor-orders/'))).toEqual([
      'GET /api/v1/owner/vendor-orders/?page=1',
      'GET /api/v1/owner/vendor-orders/?page=1&status=unpaid',
      'GET /api/v1/owner/vendor-orders/?page=1',
    ])
  })

  it('pays an unpaid order from its page', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order()))
    backend.on('POST /api/v1/owner/payments/', ok(paymentOrder(), 201))
    await vendors.openOrder(91)
    expect((await vendors.payOrder())?.id).toBe(401)
    expect(bodies('POST /api/v1/owner/payments/')[0]).toMatchObject({ purpose: 'vendor_orders', charge_ids: [91], house: 202 })
  })
})

describe('pages', () => {
  it('my orders list and an unpaid order page with its pay button and cancel', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/', ok(page([order(), order({ id: 92, status: 'done' })])))
    const list = await show(OrdersPage)
    expect(byTestId(list, 'vendor-order-status').map((s) => s.text)).toEqual(['待支付', '已完成'])
    expect(byTestId(list, 'vendor-orders-end')).toHaveLength(1)

    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order()))
    const html = await show(OrderPage, { id: '91' })
    expect(one(html, 'vendor-order-detail-status').text).toBe('待支付')
    expect(one(html, 'vendor-order-pay').text).toBe('去支付 ¥80.00')
    expect(byTestId(html, 'vendor-order-cancel')).toHaveLength(1)
    expect(byTestId(html, 'vendor-order-rate')).toHaveLength(0)
  })

  it('a done order offers the rating; a cancelled one shows who cancelled and the refund', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order({ status: 'done' })))
    let html = await show(OrderPage, { id: '91' })
    expect(byTestId(html, 'vendor-order-rate')).toHaveLength(1)
    expect(byTestId(html, 'vendor-order-star-5')).toHaveLength(1)
    expect(byTestId(html, 'vendor-order-cancel')).toHaveLength(0)

    backend.on(
      'GET /api/v1/owner/vendor-orders/91/',
      ok(order({ status: 'cancelled', cancelled_by: 'vendor', cancel_reason: '人手不足', refunded: '80.00' })),
    )
    html = await show(OrderPage, { id: '91' })
    expect(one(html, 'vendor-order-detail-cancelled').text).toContain('服务商已取消')
    expect(one(html, 'vendor-order-detail-cancelled').text).toContain('人手不足')
    expect(one(html, 'vendor-order-detail-refunded').text).toBe('已退款 ¥80.00')
    expect(byTestId(html, 'vendor-order-pay')).toHaveLength(0)
  })

  it('a quoted order done and priced asks for its amount, and can be rated meanwhile', async () => {
    const priced = order({ status: 'done', price_mode: 'quoted', amount: '180.50', pay_by: hoursFromNow(-48), awaits_payment: true })
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(priced))
    backend.on('POST /api/v1/owner/payments/', ok(paymentOrder(), 201))
    const html = await show(OrderPage, { id: '91' })
    expect(one(html, 'vendor-order-priced').text).toContain('实际金额')
    expect(one(html, 'vendor-order-pay').text).toBe('去支付 ¥180.50')
    expect(byTestId(html, 'vendor-order-pay-by')).toHaveLength(0)
    expect(byTestId(html, 'vendor-order-rate')).toHaveLength(1)
    await vendors.openOrder(91)
    expect((await vendors.payOrder())?.id).toBe(401)
    expect(bodies('POST /api/v1/owner/payments/')[0]).toMatchObject({ purpose: 'vendor_orders', charge_ids: [91] })

    backend.on('GET /api/v1/owner/vendor-orders/91/', ok({ ...priced, awaits_payment: false, paid_at: '2026-12-05T12:00:00+08:00' }))
    const paid = await show(OrderPage, { id: '91' })
    expect(byTestId(paid, 'vendor-order-pay-box')).toHaveLength(0)
  })

  it('follows the payment it was opened with', async () => {
    backend.on('GET /api/v1/owner/vendor-orders/91/', ok(order()))
    backend.on('GET /api/v1/owner/payments/401/', ok(paymentOrder()))
    const html = await show(OrderPage, { id: '91', payment: '401' })
    expect(one(html, 'vendor-order-payment-processing').text).toContain('支付处理中')
    expect(platform.toast).not.toHaveBeenCalled()
  })
})
