import { afterEach, describe, expect, it, vi } from 'vitest'

import CashDeskPage from '@/pages/company/fees/cashdesk/CashDeskPage.vue'
import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
} from '../../../basic-data/__tests__/helpers'
import { refund } from '../../__tests__/fixtures'

const CASHIER = ['fees.view', 'fees.collect']
const NO_SHIFT = () => jsonResponse({ code: 'not_found', message: '' }, 404)

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('收银台 · 待现金退款', () => {
  it('lists the failed refunds and pays one out in cash, then the shift recounts', async () => {
    let waiting = [
      refund(),
      refund({ id: 10, house: 4, house_label: '1栋1单元102', amount: '35.50' }),
    ]
    const all = fakeApi({
      'GET /api/v1/cashier-shifts/current/': NO_SHIFT,
      'GET /api/v1/refunds/': () => page(waiting),
      'POST /api/v1/refunds/9/pay-cash/': () => {
        const paid = { ...waiting[0]!, method: 'cash', payout_status: 'refunded' as const }
        waiting = waiting.slice(1)
        return jsonResponse(paid)
      },
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: CASHIER })
    const asked = calls(all, 'GET', '/api/v1/refunds/')
    expect(asked).toHaveLength(1)
    expect(queryOf(asked[0]!)).toMatchObject({ payout_status: 'refund_failed' })
    expect($('desk-cash-refunds')?.textContent).toContain('待现金退款（2）')
    expect($('desk-cash-refund-amount-10')?.textContent).toBe('¥35.50')
    const shiftLoads = calls(all, 'GET', '/api/v1/cashier-shifts/current/').length

    await click('refund-pay-cash-9')
    expect(document.body.textContent).toContain('已在收银台以现金退给业主 ¥120.00')
    await click('refund-pay-cash-9-confirm')
    const sent = calls(all, 'POST', '/api/v1/refunds/9/pay-cash/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ confirm_amount: '120.00' })
    await vi.waitFor(() => expect($('refund-pay-cash-9')).toBeNull())
    expect($('refund-pay-cash-10')).not.toBeNull()
    expect($('desk-cash-refunds')?.textContent).toContain('待现金退款（1）')
    expect(calls(all, 'GET', '/api/v1/cashier-shifts/current/').length).toBeGreaterThan(shiftLoads)
  })

  it('opens the refund’s house at the desk', async () => {
    const all = fakeApi({
      'GET /api/v1/cashier-shifts/current/': NO_SHIFT,
      'GET /api/v1/refunds/': () => page([refund()]),
      'GET /api/v1/cashdesk/houses/3/': () => jsonResponse({}, 404),
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: CASHIER })
    expect($('desk-empty')).not.toBeNull()
    await click('desk-cash-refund-house-9')
    expect($('desk-empty')).toBeNull()
    expect(calls(all, 'GET', '/api/v1/cashdesk/houses/3/')).toHaveLength(1)
  })

  it('shows nothing when no refund waits, or when the list cannot be read', async () => {
    fakeApi({
      'GET /api/v1/cashier-shifts/current/': NO_SHIFT,
      'GET /api/v1/refunds/': () => page([]),
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: CASHIER })
    expect($('cashdesk-page')).not.toBeNull()
    expect($('desk-cash-refunds')).toBeNull()

    document.body.innerHTML = ''
    fakeApi({
      'GET /api/v1/cashier-shifts/current/': NO_SHIFT,
      'GET /api/v1/refunds/': () => jsonResponse({ code: 'permission_denied', message: '' }, 403),
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: CASHIER })
    expect($('cashdesk-page')).not.toBeNull()
    expect($('desk-cash-refunds')).toBeNull()
  })

  it('offers no cash payout to someone without fees.collect', async () => {
    fakeApi({
      'GET /api/v1/cashier-shifts/current/': NO_SHIFT,
      'GET /api/v1/refunds/': () => page([refund()]),
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: ['fees.view'] })
    expect($('desk-cash-refunds')).not.toBeNull()
    expect($('refund-pay-cash-9')).toBeNull()
  })
})
