import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PartnerOrder, SettlementRow } from '@/api/partnerPortal'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  page,
  queryOf,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import { thisMonth } from '@/pages/company/community/settlement'
import { jsonResponse } from '@/test/http'

import { mountPortal, TOKEN } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
  document.body.innerHTML = ''
})

const ME = {
  id: 7,
  name: '王经理',
  phone_masked: '139****1111',
  role: 'staff',
  permissions: ['partner.view'],
  vendor: {
    code: 'K7MX2Q',
    name: '洁净家政',
    kind: 'housekeeping',
    contact_name: '王经理',
    phone_masked: '139****1111',
    listings_suspended_at: null,
    listings_suspended_reason: '',
  },
}

const ADMISSION = {
  id: 31,
  company: 'alpha',
  company_name: '阿尔法物业',
  status: 'approved',
  commission_rate: '0.0500',
  estates_count: 2,
  note: '',
  updated_at: '2026-12-02T08:00:00+08:00',
}

const order = (over: Partial<PartnerOrder> = {}): PartnerOrder => ({
  id: 71,
  company: 'alpha',
  company_name: '阿尔法物业',
  number: 'VO202612100001',
  status: 'booked',
  offering_name: '日常保洁',
  price_mode: 'fixed',
  fulfilment: 'at_home',
  quantity: 1,
  amount: '120.00',
  refunded: '0.00',
  commission_rate: '0.0500',
  scheduled_start: '2026-12-10T09:00:00+08:00',
  scheduled_end: '2026-12-10T11:00:00+08:00',
  estate_name: '阳光花园',
  address: '1栋1单元101',
  contact_name: '李女士',
  contact_phone: '13800001234',
  note: '',
  rating: null,
  rating_comment: '',
  created_at: '2026-12-01T08:00:00+08:00',
  paid_at: '2026-12-01T08:01:00+08:00',
  completed_at: null,
  cancelled_at: null,
  cancelled_by: '',
  cancel_reason: '',
  ...over,
})

const ORDERS = [
  order(),
  order({ id: 72, number: 'VO202612100002', status: 'confirmed' }),
  order({ id: 73, number: 'VO202612100003', status: 'in_service' }),
  order({
    id: 74,
    number: 'VO202612100004',
    status: 'rated',
    contact_phone: '138****1234',
    rating: 5,
    rating_comment: '很干净',
    refunded: '20.00',
  }),
  order({
    id: 75,
    number: 'VO202612100005',
    offering_name: '桶装水',
    fulfilment: 'delivery',
    quantity: 3,
    scheduled_start: null,
    scheduled_end: null,
    status: 'cancelled',
    cancelled_by: 'owner',
    cancel_reason: '临时有事',
  }),
]

function pick(wrapper: VueWrapper, name: string, testid: string, value: unknown) {
  const found = wrapper
    .findAllComponents({ name })
    .find((c) => (c.attributes('data-testid') ?? c.vm.$attrs['data-testid']) === testid)
  if (!found) throw new Error(`no ${name} ${testid}`)
  found.vm.$emit('update:modelValue', value)
  found.vm.$emit('change', value)
}

describe('订单', () => {
  function backend(move: (id: string, step: string) => Response | null = () => null) {
    return fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page([ADMISSION]),
      'GET /api/v1/partner/orders/': () => page(ORDERS),
      ...Object.fromEntries(
        ORDERS.flatMap((o) =>
          ['confirm', 'start', 'complete', 'cancel'].map((step) => [
            `POST /api/v1/partner/orders/${o.id}/${step}/`,
            () => move(String(o.id), step) ?? jsonResponse({ ...o, status: 'x' }),
          ]),
        ),
      ),
    })
  }

  it('lists the orders: number, company, when, where, the contact as sent, amount, status, rating', async () => {
    backend()
    await mountPortal('/partner/orders')
    expect($('partner-nav-partner-orders')?.textContent).toContain('订单')
    expect($('partner-order-number-71')?.textContent).toBe('VO202612100001')
    expect($('partner-order-phone-71')?.textContent?.trim()).toBe('13800001234')
    expect($('partner-order-phone-74')?.textContent?.trim()).toBe('138****1234')
    expect($('partner-order-amount-71')?.textContent).toBe('¥120.00')
    expect($('partner-order-refunded-74')?.textContent).toContain('¥20.00')
    expect($('partner-order-refunded-71')).toBeNull()
    expect($('partner-order-status-71')?.textContent).toContain('待确认')
    expect($('partner-order-rating-74')?.textContent).toBe('5 星')
    const text = $('partner-orders')!.textContent!
    expect(text).toContain('阿尔法物业')
    expect(text).toContain('2026-12-10 09:00–11:00')
    expect(text).toContain('阳光花园')
    expect(text).toContain('1栋1单元101')
    expect(text).toContain('很干净')
    // Goods: no slot, but how they reach the owner; and who cancelled.
    expect(text).toContain('桶装水 × 3')
    expect(text).toContain('送货上门')
    expect($('partner-order-cancelled-by-75')?.textContent?.trim()).toBe('业主取消')
    expect($('partner-order-cancelled-by-71')).toBeNull()
    expect($('partner-order-cancel-reason-75')?.textContent?.trim()).toBe('原因：临时有事')
    expect($('partner-order-cancel-reason-71')).toBeNull()
  })

  it('offers each order the moves of its status, and makes them with the token', async () => {
    const all = backend()
    await mountPortal('/partner/orders')
    expect($('partner-order-confirm-71')?.textContent?.trim()).toBe('确认')
    expect($('partner-order-cancel-71')?.textContent?.trim()).toBe('取消')
    expect($('partner-order-start-71')).toBeNull()
    expect($('partner-order-start-72')?.textContent?.trim()).toBe('开始服务')
    expect($('partner-order-cancel-72')).not.toBeNull()
    expect($('partner-order-complete-73')?.textContent?.trim()).toBe('完成')
    expect($('partner-order-cancel-73')).toBeNull()
    for (const step of ['confirm', 'start', 'complete', 'cancel'])
      expect($(`partner-order-${step}-74`)).toBeNull()

    await click('partner-order-confirm-71')
    const confirmed = calls(all, 'POST', '/api/v1/partner/orders/71/confirm/')
    expect(confirmed).toHaveLength(1)
    expect(confirmed[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    expect(bodyOf(confirmed[0]!)).toEqual({})

    await click('partner-order-start-72')
    expect(calls(all, 'POST', '/api/v1/partner/orders/72/start/')).toHaveLength(1)

    await click('partner-order-complete-73')
    expect(calls(all, 'POST', '/api/v1/partner/orders/73/complete/')).toHaveLength(0)
    await click('partner-order-complete-73-confirm')
    expect(calls(all, 'POST', '/api/v1/partner/orders/73/complete/')).toHaveLength(1)
    expect(calls(all, 'GET', '/api/v1/partner/orders/').length).toBeGreaterThanOrEqual(4)
  })

  it('completes a quoted order with the amount agreed at the door, and shows it awaiting payment', async () => {
    const quoted = order({
      id: 75,
      status: 'in_service',
      price_mode: 'quoted',
      amount: '0.00',
      paid_at: null,
    })
    const priced = order({
      id: 76,
      status: 'done',
      price_mode: 'quoted',
      amount: '180.50',
      paid_at: null,
    })
    const all = fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page([ADMISSION]),
      'GET /api/v1/partner/orders/': () => page([quoted, priced]),
      'POST /api/v1/partner/orders/75/complete/': () =>
        jsonResponse({ ...quoted, status: 'done', amount: '88.00' }),
    })
    await mountPortal('/partner/orders')
    expect($('partner-order-amount-75')?.textContent).toBe('上门报价')
    expect($('partner-order-complete-75')).toBeNull() // no plain 完成: the amount is asked for
    expect($('partner-order-amount-76')?.textContent).toBe('¥180.50')
    expect($('partner-order-awaiting-76')?.textContent?.trim()).toBe('待业主支付')

    await click('partner-order-price-75')
    expect($('partner-order-price-form')?.textContent).toContain('业主将在小程序中支付')
    for (const bad of ['0', '0.00', '12.345', 'abc', '50000.01']) {
      await type('partner-order-price-amount', bad)
      await click('partner-order-price-form-submit')
      await settle()
      expect($('partner-order-price-form')?.textContent).toContain('请输入 0.01 至 50000 元的金额')
    }
    expect(calls(all, 'POST', '/api/v1/partner/orders/75/complete/')).toHaveLength(0)
    await type('partner-order-price-amount', '50000') // the most one order may be
    await click('partner-order-price-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner/orders/75/complete/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ amount: '50000' })
  })

  it('counts beside 订单 the orders waiting for confirmation, and shows nothing when none wait', async () => {
    let waiting = 3
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page([ADMISSION]),
      'GET /api/v1/partner/orders/': (_call, query) =>
        query.get('status') === 'booked' ? page([order()], waiting) : page(ORDERS),
    })
    await mountPortal('/partner/orders')
    expect($('partner-nav-orders-waiting')?.textContent).toBe('3')
    document.body.innerHTML = ''
    waiting = 0
    await mountPortal('/partner/orders')
    expect($('partner-nav-orders-waiting')).toBeNull()
  })

  it('cancels only with a reason', async () => {
    const all = backend()
    await mountPortal('/partner/orders')
    await click('partner-order-cancel-72')
    await click('partner-order-cancel-form-submit')
    await settle()
    expect($('partner-order-cancel-form')?.textContent).toContain('请填写取消原因')
    await type('partner-order-cancel-reason', '   ')
    await click('partner-order-cancel-form-submit')
    expect(calls(all, 'POST', '/api/v1/partner/orders/72/cancel/')).toHaveLength(0)

    await type('partner-order-cancel-reason', ' 人手不足 ')
    await click('partner-order-cancel-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner/orders/72/cancel/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ reason: '人手不足' })
  })

  it('shows the server’s word when a move is refused (gone, or moved on meanwhile)', async () => {
    backend((id) =>
      id === '71'
        ? jsonResponse({ code: 'conflict', message: '订单已被业主取消。', fields: {} }, 409)
        : jsonResponse({ code: 'not_found', message: '未找到。', fields: {} }, 404),
    )
    await mountPortal('/partner/orders')
    await click('partner-order-confirm-71')
    expect($('partner-order-error')?.textContent).toContain('VO202612100001')
    expect($('partner-order-error')?.textContent).toContain('订单已被业主取消。')
    await click('partner-order-start-72')
    expect($('partner-order-error')?.textContent).toContain('未找到。')

    await click('partner-order-cancel-71')
    await type('partner-order-cancel-reason', '人手不足')
    await click('partner-order-cancel-form-submit')
    expect($('partner-order-cancel-form-error')?.textContent).toContain('订单已被业主取消。')
  })

  it('filters by status and by company', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/orders')
    pick(wrapper, 'ElSelect', 'partner-orders-status', 'confirmed')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner/orders/').at(-1)!)).toMatchObject({
      status: 'confirmed',
      page: '1',
    })
    pick(wrapper, 'ElSelect', 'partner-orders-company', 'alpha')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner/orders/').at(-1)!)).toMatchObject({
      status: 'confirmed',
      company: 'alpha',
    })
  })

  it('says so when there are none', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page([]),
      'GET /api/v1/partner/orders/': () => page([]),
    })
    await mountPortal('/partner/orders')
    expect($('partner-orders')?.textContent).toContain('还没有订单')
  })
})

describe('结算', () => {
  const row = (over: Partial<SettlementRow> = {}): SettlementRow => ({
    company_id: 1,
    company_name: '阿尔法物业',
    vendor_id: 3,
    vendor_name: '洁净家政',
    orders: 2,
    amount: '0.10',
    refunded: '0.00',
    commission: '0.01',
    payable: '0.09',
    ...over,
  })

  it('asks for this month, then the month picked, and adds the totals exactly', async () => {
    const all = fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/settlement/': () =>
        jsonResponse([
          row(),
          row({
            company_id: 2,
            company_name: '贝塔物业',
            orders: 3,
            amount: '0.20',
            refunded: '0.05',
            commission: '0.02',
            payable: '0.13',
          }),
        ]),
    })
    const { wrapper } = await mountPortal('/partner/settlement')
    expect(queryOf(calls(all, 'GET', '/api/v1/partner/settlement/')[0]!)).toEqual({
      month: thisMonth(),
    })
    expect($('partner-settlement-name-1')?.textContent).toBe('阿尔法物业')
    expect($('partner-settlement-total')?.textContent).toBe('合计')
    expect($('partner-settlement-orders-total')?.textContent).toBe('5')
    expect($('partner-settlement-amount-total')?.dataset.amount).toBe('0.30')
    expect($('partner-settlement-amount-total')?.textContent).toBe('¥0.30')
    expect($('partner-settlement-refunded-total')?.textContent).toBe('¥0.05')
    expect($('partner-settlement-commission-total')?.textContent).toBe('¥0.03')
    expect($('partner-settlement-payable-total')?.textContent).toBe('¥0.22')

    pick(wrapper, 'ElDatePicker', 'partner-settlement-month', '2026-11')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/partner/settlement/').at(-1)!)).toEqual({
      month: '2026-11',
    })
  })

  it('says honestly when a month has nothing to settle (no totals row)', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/settlement/': () => jsonResponse([]),
    })
    await mountPortal('/partner/settlement')
    expect($('partner-settlement')?.textContent).toContain('该月没有可结算的订单')
    expect($('partner-settlement-total')).toBeNull()
  })
})
