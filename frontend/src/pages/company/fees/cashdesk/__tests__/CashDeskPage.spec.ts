import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import CashDeskPage from '@/pages/company/fees/cashdesk/CashDeskPage.vue'
import { jsonResponse } from '@/test/http'

const COLLECT = ['fees.view', 'fees.collect']

const FOUND = [
  {
    id: 7,
    label: '1栋1单元101',
    estate: 1,
    estate_name: '翠湖苑',
    payer_name: '周杰',
    owing: '223.75',
  },
  {
    id: 8,
    label: '1栋1单元102',
    estate: 1,
    estate_name: '翠湖苑',
    payer_name: null,
    owing: '0.00',
  },
]

const DETAIL = {
  house: { id: 7, label: '1栋1单元101', estate: 1, estate_name: '翠湖苑', building_area: '89.50' },
  payer: { name: '周杰', phone_masked: '138****0001' },
  lines: [
    {
      charge: 31,
      fee_item_name: '物业费',
      kind: 'regular',
      period_start: '2026-01-01',
      period_end: '2026-02-01',
      due_date: '2026-01-15',
      amount: '223.75',
      outstanding: '223.75',
      overdue: true,
      explanation: '89.50 ㎡ × 2.5000 元/㎡·月',
    },
  ],
  late_fees_to_post: [
    { principal: 31, fee_item_name: '物业费', amount: '1.12', explanation: '逾期 5 天滞纳金' },
  ],
  total_due: '224.87',
  balance: '0.00',
  deposits: [],
  recent_payments: [],
}

const PAYMENT = {
  id: 90,
  house: 7,
  house_label: '1栋1单元101',
  estate: 1,
  method: 'cash',
  amount: '224.87',
  tendered: '300.00',
  change: '75.13',
  received_at: '2026-01-20T02:00:00Z',
  business_date: '2026-01-20',
  payer_name: '周杰',
  reference: '',
  note: '',
  cashier: 1,
  cashier_name: 'cashier',
  shift: null,
  receipt_id: 5,
  receipt_number: 'SJ2026000005',
  voided: false,
}

const RESULT = {
  payment: PAYMENT,
  allocations: [],
  to_balance: '0.00',
  change: '75.13',
  receipt: { id: 5, number: 'SJ2026000005' },
  balance_after: '0.00',
  replayed: false,
}

async function key(testid: string, name: string) {
  $(testid)!.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true }))
  await flushPromises()
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('CashDeskPage', () => {
  it('finds a house from the keyboard, computes change, and retries a payment with the same key', async () => {
    let attempts = 0
    const all = fakeApi({
      'GET /api/v1/cashier-shifts/current/': () => new Response(null, { status: 204 }),
      'GET /api/v1/cashdesk/search/': () => jsonResponse(FOUND),
      'GET /api/v1/cashdesk/houses/7/': () => jsonResponse(DETAIL),
      'GET /api/v1/cashdesk/houses/8/': () =>
        jsonResponse({ ...DETAIL, house: { ...DETAIL.house, id: 8 } }),
      'POST /api/v1/cashdesk/houses/7/pay/': () => {
        attempts += 1
        if (attempts === 1) throw new TypeError('Failed to fetch') // the network dropped
        return jsonResponse(RESULT, 201)
      },
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: COLLECT })
    expect($('shift-none')).not.toBeNull()
    expect($('desk-empty')).not.toBeNull()

    await type('desk-search-input', '101')
    await wait(300)
    await flushPromises()
    expect($('desk-result-0')!.textContent).toContain('1栋1单元101')
    await key('desk-search-input', 'ArrowDown')
    expect($('desk-result-1')!.getAttribute('aria-selected')).toBe('true')
    await key('desk-search-input', 'ArrowUp')
    await key('desk-search-input', 'Enter')
    await flushPromises()
    expect(calls(all, 'GET', '/api/v1/cashdesk/houses/7/')).toHaveLength(1)
    expect($('desk-total-due')!.textContent).toBe('¥224.87')
    expect($('desk-late-31')!.textContent).toContain('待入账')
    expect(($('desk-amount') as HTMLInputElement).value).toBe('224.87')
    expect($('desk-no-shift')).not.toBeNull()

    await type('desk-tendered', '300')
    expect($('desk-change')!.textContent).toBe('¥75.13')
    await type('desk-tendered', '200')
    expect($('desk-short')!.textContent).toContain('¥24.87')
    await type('desk-tendered', '300')

    // First attempt: the network fails, the outcome is unknown.
    await click('desk-pay')
    await settle()
    await click('desk-confirm-ok')
    await settle()
    expect($('desk-retry-hint')).not.toBeNull()
    // Second attempt: the same key, so the server can answer the first payment if it was taken.
    await click('desk-pay')
    await settle()
    await click('desk-confirm-ok')
    await settle()
    const posts = calls(all, 'POST', '/api/v1/cashdesk/houses/7/pay/').map(bodyOf)
    expect(posts).toHaveLength(2)
    expect(posts[0].idempotency_key).toBeTruthy()
    expect(posts[1].idempotency_key).toBe(posts[0].idempotency_key)
    expect(posts[1]).toMatchObject({ amount: '224.87', method: 'cash', tendered: '300.00' })
    expect(posts[1]).not.toHaveProperty('charge_ids') // everything, oldest first
    expect($('desk-receipt-number')!.textContent).toBe('SJ2026000005')
    expect($('desk-success-change')!.textContent).toContain('¥75.13')

    // The next payment is a new one: a new key.
    await click('desk-back')
    await click('desk-pay')
    await settle()
    await click('desk-confirm-ok')
    await settle()
    const third = calls(all, 'POST', '/api/v1/cashdesk/houses/7/pay/').map(bodyOf)[2]
    expect(third.idempotency_key).not.toBe(posts[0].idempotency_key)
  })

  it('pays only the chosen lines and shows an excess going to the prepaid balance', async () => {
    const detail = {
      ...DETAIL,
      lines: [
        DETAIL.lines[0],
        {
          ...DETAIL.lines[0],
          charge: 32,
          period_start: '2026-02-01',
          period_end: '2026-03-01',
          outstanding: '0.10',
          amount: '0.10',
        },
        {
          ...DETAIL.lines[0],
          charge: 33,
          period_start: '2026-03-01',
          period_end: '2026-04-01',
          outstanding: '0.20',
          amount: '0.20',
        },
      ],
      total_due: '225.17',
    }
    const all = fakeApi({
      'GET /api/v1/cashier-shifts/current/': () => new Response(null, { status: 204 }),
      'GET /api/v1/cashdesk/search/': () => jsonResponse(FOUND),
      'GET /api/v1/cashdesk/houses/7/': () => jsonResponse(detail),
      'POST /api/v1/cashdesk/houses/7/pay/': () =>
        jsonResponse(
          {
            code: 'validation_error',
            message: '',
            fields: { amount: ['金额太大。'] },
          },
          400,
        ),
    })
    await mountPage(CashDeskPage, { path: '/fees/cashdesk', permissions: COLLECT })
    await type('desk-search-input', '101')
    await key('desk-search-input', 'Enter')
    await flushPromises()
    // Untick the first line: 0.10 + 0.20 = 0.30 (not 0.30000000000000004).
    const firstBox = $('desk-line-31')!.querySelector('input[type=checkbox]') as HTMLInputElement
    firstBox.click()
    await flushPromises()
    expect($('desk-chosen')!.textContent).toContain('¥0.30')
    expect(($('desk-amount') as HTMLInputElement).value).toBe('0.30')
    expect($('desk-late-note')).not.toBeNull()
    await type('desk-amount', '10')
    expect($('desk-excess')!.textContent).toContain('¥9.70')

    await click('desk-pay')
    await settle()
    await click('desk-confirm-ok')
    await settle()
    const body = bodyOf(calls(all, 'POST', '/api/v1/cashdesk/houses/7/pay/')[0])
    expect(body.charge_ids).toEqual([32, 33])
    expect(body.amount).toBe('10.00')
    // The server's field error lands under the amount.
    const item = $('desk-amount')!.closest('.el-form-item')!
    expect(item.querySelector('.el-form-item__error')?.textContent?.trim()).toBe('金额太大。')
  })
})
