import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Admission, SettlementRow, VendorOrderRow } from '@/api/partners'
import { settlementTotals, thisMonth } from '@/pages/company/community/settlement'
import { jsonResponse } from '@/test/http'

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
} from '../../basic-data/__tests__/helpers'
import VendorOrdersPage from '../VendorOrdersPage.vue'

const order = (over: Partial<VendorOrderRow> = {}): VendorOrderRow => ({
  id: 81,
  number: 'VO202612100001',
  vendor_id: 3,
  vendor_name: '洁净家政',
  offering_name: '日常保洁',
  price_mode: 'fixed',
  quantity: 1,
  amount: '120.00',
  refunded: '0.00',
  refund_state: '',
  awaits_payment: false,
  commission_rate: '0.0500',
  fulfilment: 'at_home',
  scheduled_start: '2026-12-10T09:00:00+08:00',
  estate_name: '阳光花园',
  house_label: '1栋1单元101',
  contact_name: '李女士',
  contact_phone: '138****1234',
  status: 'rated',
  cancelled_by: '' as VendorOrderRow['cancelled_by'], // blank until cancelled (the schema lists only the choices)
  cancel_reason: '',
  rating: 2,
  rating_comment: '迟到',
  complaint: 17,
  created_at: '2026-12-01T08:00:00+08:00',
  paid_at: '2026-12-01T08:01:00+08:00',
  completed_at: '2026-12-10T11:00:00+08:00',
  cancelled_at: null,
  ...over,
})

const row = (over: Partial<SettlementRow> = {}): SettlementRow => ({
  company_id: 1,
  company_name: '阿尔法物业',
  vendor_id: 3,
  vendor_name: '洁净家政',
  orders: 1,
  amount: '0.10',
  refunded: '0.00',
  commission: '0.01',
  payable: '0.09',
  ...over,
})

const ADMITTED = {
  id: 5,
  vendor: {
    id: 9,
    code: 'Z9Z9Z9',
    name: '快修服务',
    kind: 'housekeeping',
    contact_name: '赵',
    phone: '13900009999',
    listings_suspended_at: null,
  },
  status: 'approved',
  estate_ids: [1],
  commission_rate: '0.0500',
  documents_reviewed_at: null,
  note: '',
  created_at: '2026-12-01T09:00:00+08:00',
  updated_at: '2026-12-02T09:00:00+08:00',
} as Admission

function backend(settlement: SettlementRow[] = []) {
  return fakeApi({
    'GET /api/v1/vendor-orders/': () =>
      page([
        order(),
        order({
          id: 82,
          number: 'VO202612100002',
          vendor_id: 4,
          vendor_name: '好邻居超市',
          status: 'cancelled',
          cancel_reason: '人手不足',
          refunded: '120.00',
          rating: null,
          complaint: null,
        }),
      ]),
    'GET /api/v1/partner-settlement/': () => jsonResponse(settlement),
    'GET /api/v1/partner-admissions/': () => page([ADMITTED]),
  })
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const mount = (permissions = ['partners.view']) =>
  mountPage(VendorOrdersPage, {
    path: '/community/vendor-orders',
    permissions,
    modules: ['community'],
  })

describe('服务订单', () => {
  it('lists the orders with number, vendor, house, masked contact, money, status, rating and the complaint', async () => {
    const all = backend()
    await mount()
    expect($('vendor-order-number-81')?.textContent).toBe('VO202612100001')
    expect($('vendor-order-amount-81')?.textContent).toBe('¥120.00')
    expect($('vendor-order-status-81')?.textContent).toContain('已评价')
    expect($('vendor-order-status-82')?.textContent).toContain('已取消')
    expect($('vendor-order-rating-81')?.textContent).toBe('2 星')
    const link = $('vendor-order-complaint-81') as HTMLAnchorElement
    expect(link.textContent).toBe('查看投诉')
    expect(link.getAttribute('href')).toBe('/feedback?id=17')
    expect($('vendor-order-complaint-82')).toBeNull()
    const text = $('vendor-orders-page')!.textContent!
    expect(text).toContain('阳光花园 1栋1单元101')
    expect(text).toContain('李女士 138****1234')
    expect(text).toContain('2026-12-10 09:00')
    expect(text).toContain('人手不足')
    // partners.view alone does not reach the admissions (partners.manage's).
    expect(calls(all, 'GET', '/api/v1/partner-admissions/')).toHaveLength(0)
  })

  it('filters by status and by vendor (those seen, and the admitted ones for partners.manage)', async () => {
    const all = backend()
    const { wrapper } = await mount(['partners.manage'])
    const select = (testid: string) =>
      wrapper
        .findAllComponents({ name: 'ElSelect' })
        .find((c) => c.attributes('data-testid') === testid)!
    select('filter-status').vm.$emit('update:modelValue', 'booked')
    select('filter-status').vm.$emit('change', 'booked')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/vendor-orders/').at(-1)!)).toMatchObject({
      status: 'booked',
    })
    const vendors = select('filter-vendor_id')
      .findAllComponents({ name: 'ElOption' })
      .map((o) => o.props('label'))
    expect(vendors).toEqual(expect.arrayContaining(['洁净家政', '好邻居超市', '快修服务']))
    select('filter-vendor_id').vm.$emit('update:modelValue', 4)
    select('filter-vendor_id').vm.$emit('change', 4)
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/vendor-orders/').at(-1)!)).toMatchObject({
      status: 'booked',
      vendor_id: '4',
    })
  })

  it('shows the month’s settlement per vendor with exact totals, and another month on asking', async () => {
    const all = backend([
      row(),
      row({
        vendor_id: 4,
        vendor_name: '好邻居超市',
        orders: 2,
        amount: '0.20',
        commission: '0.02',
        payable: '0.18',
      }),
    ])
    const { wrapper } = await mount()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner-settlement/')[0]!)).toEqual({
      month: thisMonth(),
    })
    expect($('vendor-settlement-name-4')?.textContent).toBe('好邻居超市')
    expect($('vendor-settlement-orders-total')?.textContent).toBe('3')
    expect($('vendor-settlement-amount-total')?.textContent).toBe('¥0.30')
    expect($('vendor-settlement-payable-total')?.textContent).toBe('¥0.27')
    const picker = wrapper
      .findAllComponents({ name: 'ElDatePicker' })
      .find((c) => c.vm.$attrs['data-testid'] === 'vendor-settlement-month')!
    picker.vm.$emit('update:modelValue', '2026-11')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner-settlement/').at(-1)!)).toEqual({
      month: '2026-11',
    })
  })

  it('says so when a month has nothing to settle', async () => {
    backend([])
    await mount()
    expect($('vendor-settlement')?.textContent).toContain('该月没有可结算的订单')
    expect($('vendor-settlement-total')).toBeNull()
  })

  it('is the community tab of partners.view or partners.manage, refused without either', async () => {
    backend()
    const { router } = await mount()
    await router.push('/community')
    expect(router.currentRoute.value.name).toBe('community-vendor-orders')
    document.body.innerHTML = ''
    const manager = await mount(['partners.manage'])
    await manager.router.push('/community/vendor-orders')
    expect(manager.router.currentRoute.value.name).toBe('community-vendor-orders')
    document.body.innerHTML = ''
    const other = await mount(['community.view'])
    expect(other.router.currentRoute.value.name).toBe('forbidden')
  })
})

describe('the company’s moves of an order', () => {
  const moving = () => {
    const rows = [
      order({ id: 91, status: 'in_service', rating: null, complaint: null }),
      order({
        id: 92,
        status: 'cancelled',
        cancelled_by: 'owner',
        refund_state: 'failed',
        rating: null,
        complaint: null,
      }),
      order({
        id: 93,
        status: 'cancelled',
        refund_state: 'refunding',
        rating: null,
        complaint: null,
      }),
      order({ id: 94, status: 'done', rating: null, complaint: null }),
      order({ id: 95, status: 'done', awaits_payment: true, rating: null, complaint: null }),
      order({
        id: 96,
        status: 'in_service',
        price_mode: 'quoted',
        amount: '0.00',
        rating: null,
        complaint: null,
      }),
    ]
    return fakeApi({
      'GET /api/v1/vendor-orders/': () => page(rows),
      'GET /api/v1/partner-settlement/': () => jsonResponse([]),
      'GET /api/v1/partner-admissions/': () => page([]),
      'POST /api/v1/vendor-orders/91/cancel/': () =>
        jsonResponse(order({ id: 91, status: 'cancelled', cancelled_by: 'company' })),
      'POST /api/v1/vendor-orders/91/complete/': () =>
        jsonResponse(
          {
            code: 'vendor_can_complete',
            message: '该服务商仍在服务中，请由服务商在服务商平台完成订单。',
          },
          409,
        ),
      'POST /api/v1/vendor-orders/96/complete/': () =>
        jsonResponse(order({ id: 96, status: 'done', price_mode: 'quoted', amount: '66.00' })),
      'POST /api/v1/vendor-orders/92/refund/': () =>
        jsonResponse(order({ id: 92, status: 'cancelled', refund_state: 'refunding' })),
    })
  }

  it('shows where a cancelled order’s money is, and offers each move only where it applies', async () => {
    moving()
    await mount(['partners.manage'])
    expect($('vendor-order-refund-92')?.textContent).toBe('退款失败')
    expect($('vendor-order-refund-93')?.textContent).toBe('退款中')
    expect($('vendor-order-refund-91')).toBeNull()
    expect($('vendor-order-awaiting-95')?.textContent).toBe('上门报价待业主支付')
    expect($('vendor-order-awaiting-94')).toBeNull()
    expect($('vendor-order-cancel-91')).not.toBeNull()
    expect($('vendor-order-complete-91')).not.toBeNull()
    expect($('vendor-order-refund-again-92')).not.toBeNull()
    for (const absent of [
      'cancel-92',
      'complete-92',
      'refund-again-93',
      'cancel-94',
      'complete-94',
    ])
      expect($(`vendor-order-${absent}`)).toBeNull()
  })

  it('cancels with a reason told to the owner, and refuses a blank one', async () => {
    const all = moving()
    await mount(['partners.manage'])
    await click('vendor-order-cancel-91')
    expect($('vendor-order-cancel-form')?.textContent).toContain('原路退回')
    await type('vendor-order-cancel-reason', '   ')
    await click('vendor-order-cancel-form-submit')
    await settle()
    expect(fieldError('vendor-order-cancel-reason')).toBe('请填写取消原因')
    expect(calls(all, 'POST', '/api/v1/vendor-orders/91/cancel/')).toHaveLength(0)
    await type('vendor-order-cancel-reason', ' 服务商失联 ')
    await click('vendor-order-cancel-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/vendor-orders/91/cancel/')[0]!)).toEqual({
      reason: '服务商失联',
    })
    expect(calls(all, 'GET', '/api/v1/vendor-orders/').length).toBeGreaterThan(1) // the list again
  })

  it('asks before completing or refunding again, and shows the server’s refusal', async () => {
    const all = moving()
    await mount(['partners.manage'])
    await click('vendor-order-complete-91')
    await click('vendor-order-complete-91-confirm')
    expect(calls(all, 'POST', '/api/v1/vendor-orders/91/complete/')).toHaveLength(1)
    expect(document.body.textContent).toContain('请由服务商在服务商平台完成订单')
    await click('vendor-order-refund-again-92')
    expect(calls(all, 'POST', '/api/v1/vendor-orders/92/refund/')).toHaveLength(0)
    await click('vendor-order-refund-again-92-confirm')
    expect(calls(all, 'POST', '/api/v1/vendor-orders/92/refund/')).toHaveLength(1)
  })

  it('completes a quoted order under way with the amount the owner agreed to', async () => {
    const all = moving()
    await mount(['partners.manage'])
    expect($('vendor-order-complete-96')).toBeNull() // no plain 完成: the amount is asked for
    await click('vendor-order-price-96')
    for (const bad of ['0', '1.234', '50000.01']) {
      await type('vendor-order-price-amount', bad)
      await click('vendor-order-price-form-submit')
      await settle()
      expect(fieldError('vendor-order-price-amount')).toBe(
        '请输入 0.01 至 50000 元的金额，最多两位小数',
      )
    }
    expect(calls(all, 'POST', '/api/v1/vendor-orders/96/complete/')).toHaveLength(0)
    await type('vendor-order-price-amount', '66')
    await click('vendor-order-price-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/vendor-orders/96/complete/')[0]!)).toEqual({
      amount: '66',
    })
  })

  it('offers no move to those who only view the orders', async () => {
    moving()
    await mount(['partners.view'])
    expect($('vendor-order-refund-92')?.textContent).toBe('退款失败')
    expect($('vendor-order-cancel-91')).toBeNull()
    expect($('vendor-order-complete-91')).toBeNull()
    expect($('vendor-order-refund-again-92')).toBeNull()
  })
})

describe('settlement totals', () => {
  it('adds decimal strings in whole fen: 0.10 + 0.20 is 0.30, not 0.30000000000000004', () => {
    expect(
      settlementTotals([
        { orders: 1, amount: '0.10', refunded: '0.00', commission: '0.01', payable: '0.09' },
        { orders: 2, amount: '0.20', refunded: '0.10', commission: '0.02', payable: '0.08' },
      ]),
    ).toEqual({ orders: 3, amount: '0.30', refunded: '0.10', commission: '0.03', payable: '0.17' })
    expect(
      settlementTotals([
        { orders: 1, amount: '99999999.99', refunded: '0', commission: '0', payable: '1.5' },
        { orders: 1, amount: '0.01', refunded: '0', commission: '0', payable: '1.5' },
      ]),
    ).toMatchObject({ amount: '100000000.00', payable: '3.00' })
    expect(settlementTotals([])).toEqual({
      orders: 0,
      amount: '0.00',
      refunded: '0.00',
      commission: '0.00',
      payable: '0.00',
    })
  })

  it('knows this month in Shanghai, even when it is still last month in UTC', () => {
    expect(thisMonth(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12')
    expect(thisMonth(new Date('2026-12-15T00:00:00Z'))).toBe('2026-12')
  })
})
