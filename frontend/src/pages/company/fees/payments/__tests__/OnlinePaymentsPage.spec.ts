import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  $$,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import OnlinePaymentsPage from '@/pages/company/fees/payments/OnlinePaymentsPage.vue'
import { jsonResponse } from '@/test/http'

import { detail, PAID, row } from './orders'

const CASHIER = ['fees.view', 'fees.collect', 'payments.view']
const MANAGER = ['fees.view', 'fees.manage', 'payments.view']
const PATH = '/fees/online-payments'

afterEach(() => vi.unstubAllGlobals())

describe('OnlinePaymentsPage', () => {
  it('lists orders with status tags and money, and sends the filters to the server', async () => {
    const all = fakeApi({
      'GET /api/v1/payment-orders/': () =>
        page([row(), row({ id: 8, status: 'paid', amount: '89.5', refunded_amount: '10.00' })]),
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: CASHIER })
    expect($('status-7')?.textContent).toContain('待支付')
    expect($('status-8')?.textContent).toContain('已支付')
    const table = $('table')?.textContent ?? ''
    expect(table).toContain('¥1,289.50')
    expect(table).toContain('¥89.50')
    expect(table).toContain('已退 ¥10.00')
    expect(table).toContain('微信支付')

    await type('filter-search', 'W2026')
    await new Promise((resolve) => setTimeout(resolve, 350))
    const lists = calls(all, 'GET', '/api/v1/payment-orders/')
    expect(queryOf(lists[lists.length - 1])).toMatchObject({ search: 'W2026', page: '1' })
    await type('filter-house', '101')
    await new Promise((resolve) => setTimeout(resolve, 350))
    const latest = calls(all, 'GET', '/api/v1/payment-orders/')
    expect(queryOf(latest[latest.length - 1])).toMatchObject({ search: 'W2026', house: '101' })
  })

  it('says honestly when there are no orders', async () => {
    fakeApi({ 'GET /api/v1/payment-orders/': () => page([]) })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: CASHIER })
    expect($('online-payments-page')?.textContent).toContain('暂无在线支付订单')
  })

  it('shows one order: lines, settlement and the event trail with collapsible evidence; a cashier gets no actions', async () => {
    fakeApi({
      'GET /api/v1/payment-orders/': () => page([row({ status: 'paid' })]),
      'GET /api/v1/payment-orders/7/': () => jsonResponse(PAID),
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: CASHIER })
    await click('order-7')
    expect($('detail-status')?.textContent).toContain('已支付')
    expect($('detail-amount')?.textContent).toBe('¥1,289.50')
    expect($('detail-settlement')?.textContent).toBe('已核销')
    expect($('detail-settled-reference')?.textContent).toBe('31')
    expect($('detail-payer')?.textContent).toContain('*')
    expect($('payment-lines')?.textContent).toContain('物业费 2026-11')
    expect($('payment-lines')?.textContent).toContain('¥9.50')
    const events = $$('[data-testid="payment-event"]')
    expect(events).toHaveLength(3)
    expect(events[2].textContent).toContain('待支付')
    expect(events[2].textContent).toContain('员工操作')
    expect(events[2].textContent).toContain('渠道凭据')
    expect($('evidence-3')?.textContent).toContain('"trade_state": "SUCCESS"')
    expect($('payment-query')).toBeNull()
    expect($('payment-close')).toBeNull()
  })

  it('lets a manager ask the gateway now, and shows the order as it then is', async () => {
    const all = fakeApi({
      'GET /api/v1/payment-orders/': () => page([row()]),
      'GET /api/v1/payment-orders/7/': () => jsonResponse(detail()),
      'POST /api/v1/payment-orders/7/query/': () => jsonResponse(PAID),
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: MANAGER })
    await click('order-7')
    expect($('detail-status')?.textContent).toContain('待支付')
    await click('payment-query')
    expect(calls(all, 'POST', '/api/v1/payment-orders/7/query/')).toHaveLength(1)
    expect($('detail-status')?.textContent).toContain('已支付')
    expect($('payment-query')).toBeNull() // paid: nothing left to ask or close
    expect(calls(all, 'GET', '/api/v1/payment-orders/').length).toBeGreaterThan(1)
  })

  it('closes a pending order after confirmation; a refusal is shown and the order reloaded', async () => {
    let refuse = false
    let paidMeanwhile = false
    const all = fakeApi({
      'GET /api/v1/payment-orders/': () => page([row()]),
      'GET /api/v1/payment-orders/7/': () => jsonResponse(paidMeanwhile ? PAID : detail()),
      'POST /api/v1/payment-orders/7/close/': () => {
        if (!refuse) return jsonResponse(detail({ status: 'closed' }))
        paidMeanwhile = true // the server settled it while refusing to close it
        return jsonResponse(
          { code: 'already_paid', message: '这些费用刚刚已支付成功，请刷新账单。', fields: {} },
          409,
        )
      },
    })
    await mountPage(OnlinePaymentsPage, { path: PATH, permissions: MANAGER })
    await click('order-7')
    await click('payment-close')
    await click('payment-close-confirm')
    expect(calls(all, 'POST', '/api/v1/payment-orders/7/close/')).toHaveLength(1)
    expect($('detail-status')?.textContent).toContain('已关闭')

    refuse = true
    await click('order-7')
    await click('payment-close')
    await click('payment-close-confirm')
    expect(calls(all, 'POST', '/api/v1/payment-orders/7/close/')).toHaveLength(2)
    expect(document.body.textContent).toContain('这些费用刚刚已支付成功')
    expect($('detail-status')?.textContent).toContain('已支付')
  })
})
