/**
 * The 缴费 screens rendered to HTML (Vue's server renderer) over a scripted backend: what an owner
 * sees in each state, with the data-testid hooks the browser tests use.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, bills, owner, resetSession } from './support/fake-session'
import { HOUSES } from './support/fake-api'
import { houseBills, line, payment } from './support/bills'

const hooks = vi.hoisted(() => ({
  onShow: [] as Array<() => unknown>,
  onLoad: [] as Array<(q: Record<string, string>) => unknown>,
}))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: (fn: (q: Record<string, string>) => unknown) => hooks.onLoad.push(fn),
  onPullDownRefresh: () => undefined,
  onReachBottom: () => undefined,
}))
vi.mock('@/platform', () => ({
  platform: {
    navigateTo: vi.fn(),
    reLaunch: vi.fn(),
    toast: vi.fn(),
    openPdf: vi.fn(async () => undefined),
    stopPullDownRefresh: vi.fn(),
  },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const Bills = (await import('@/pages/bills/bills.vue')).default
const History = (await import('@/pages/bills/history.vue')).default

/** Render, run onLoad/onShow (as uni does), let the loads finish, render again. */
async function show(page: Parameters<typeof render>[0], query: Record<string, string> = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

const OWING = houseBills({
  house: 202,
  house_label: '3栋2单元1101',
  overdue: [line({ id: 1, status: 'overdue', outstanding: '223.75', due_date: '2026-09-16' })],
  due: [line({ id: 2, status: 'unpaid', period_start: '2026-11-01', period_end: '2026-12-01', due_date: '2026-11-16' })],
  paid: [line({ id: 3, status: 'paid', period_start: '2026-08-01', period_end: '2026-09-01', paid: '223.75', outstanding: '0.00' })],
  late_fees_accruing: [{ principal: 1, fee_item_name: '物业费', period_start: '2026-09-01', period_end: '2026-10-01', amount: '5.59', explanation: '逾期 50 天滞纳金（缴费时入账）' }],
  totals: { due: '223.75', overdue: '223.75', late_fees_accruing: '5.59', to_pay: '453.09' },
  balance: '1200.00',
})

beforeEach(() => {
  resetSession()
  backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
})

describe('bills page', () => {
  it('shows the server totals, the balance and the lines grouped overdue / due / paid', async () => {
    backend.on('GET /api/v1/owner/bills/', { status: 200, data: [houseBills({ house: 101 }), OWING] })
    const html = await show(Bills)

    // Nothing here is payable online: the ways to pay are asked, no quote.
    expect(backend.called().sort()).toEqual([
      'GET /api/v1/owner/bills/',
      'GET /api/v1/owner/houses/',
      'GET /api/v1/owner/payments/methods/?client=h5',
    ])
    // The primary payer's house opens first; the other is one tap away.
    expect(one(html, 'bills-summary').attr('data-house-id')).toBe('202')
    expect(byTestId(html, 'bills-house-option').map((o) => o.attr('data-house-id'))).toEqual(['101', '202'])
    expect(one(html, 'bills-to-pay').text).toBe('¥453.09')
    expect(one(html, 'bills-overdue').text).toBe('¥223.75')
    expect(one(html, 'bills-balance').text).toBe('¥1,200.00')
    expect(one(html, 'bills-late-fees').text).toContain('¥5.59')
    expect(byTestId(html, 'bills-group').map((g) => g.attr('data-group'))).toEqual(['overdue', 'due', 'paid'])
    const lines = byTestId(html, 'bill-line')
    expect(lines.map((l) => [l.attr('data-key'), l.attr('data-status')])).toEqual([
      ['c1', 'overdue'],
      ['a1', 'accruing'],
      ['c2', 'unpaid'],
      ['c3', 'paid'],
    ])
    expect(byTestId(html, 'bill-line-status').map((s) => s.text)).toEqual(['已逾期', '计算中', '待缴', '已缴'])
    expect(byTestId(html, 'bill-line-amount').map((s) => s.text)).toEqual(['¥223.75', '¥5.59', '¥223.75', '¥223.75'])
    expect(byTestId(html, 'bill-line-for').map((s) => s.text)).toEqual(['物业费 2026-09 的滞纳金'])
    expect(byTestId(lines[2].html, 'bill-line-period')[0].text).toBe('2026-11 · 2026-11-16 截止')
    expect(byTestId(lines[3].html, 'bill-line-period')[0].text).toBe('2026-08')
    // Explanations open on a tap, not before.
    expect(byTestId(html, 'bill-line-explanation')).toHaveLength(0)
    // No payment online yet: an honest note, and no button pretending otherwise.
    expect(one(html, 'bills-pay-note').text).toBe('暂未开通在线缴费，请到物业服务中心缴费')
    expect(html).not.toContain('uni-button')
    expect(html).not.toContain('<button')
    expect(byTestId(html, 'bills-empty')).toHaveLength(0)
  })

  it('says 暂无账单 for a house without bills — no sample figures', async () => {
    backend.on('GET /api/v1/owner/bills/', { status: 200, data: [houseBills({ house: 202 })] })
    const html = await show(Bills)
    expect(one(html, 'bills-empty').text).toContain('暂无账单')
    expect(byTestId(html, 'bill-line')).toHaveLength(0)
    expect(byTestId(html, 'bills-pay-note')).toHaveLength(0)
    expect(byTestId(html, 'bills-house-option')).toHaveLength(0) // one house: nothing to switch
    expect(one(html, 'bills-house').text).toBe('翠湖花园 1栋1单元101')
  })

  it('explains that bills come with an approved house when there is none', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: [] })
    backend.on('GET /api/v1/owner/bills/', { status: 200, data: [] })
    const html = await show(Bills)
    expect(one(html, 'bills-no-houses').text).toContain('暂无账单')
    expect(byTestId(html, 'bills-summary')).toHaveLength(0)
  })

  it('shows the error with a retry when the first load fails', async () => {
    backend.on('GET /api/v1/owner/bills/', { status: 503, data: {} })
    const html = await show(Bills)
    expect(one(html, 'bills-error').text).toContain('服务器繁忙')
    expect(byTestId(html, 'bills-retry')).toHaveLength(1)
    expect(bills.state.status).toBe('error')
    expect(owner.state.housesStatus).toBe('ready')
  })
})

describe('bill history page', () => {
  it('lists the payments of the house with date, method, amount and receipt', async () => {
    backend.on('GET /api/v1/owner/bills/history/', {
      status: 200,
      data: {
        count: 2,
        next: null,
        previous: null,
        results: [
          payment({ id: 2, method: 'transfer', method_label: '银行转账', amount: '1500.00', received_at: '2026-11-05T02:30:00Z' }),
          payment({ id: 1, method: 'cash', voided: true }),
        ],
      },
    })
    const html = await show(History, { house: '202' })
    expect(backend.called()).toEqual(['GET /api/v1/owner/bills/history/?house=202&page=1'])
    const rows = byTestId(html, 'bill-payment')
    expect(rows.map((r) => r.attr('data-receipt-id'))).toEqual(['502', '501'])
    expect(byTestId(html, 'bill-payment-amount').map((a) => a.text)).toEqual(['¥1,500.00', '¥223.75'])
    expect(byTestId(html, 'bill-payment-date')[0].text).toBe('2026-11-05 10:30 · 银行转账')
    expect(byTestId(html, 'bill-payment-receipt').map((r) => r.text)).toEqual(['收据 SJ2026-000002', '收据 SJ2026-000001'])
    expect(byTestId(rows[1].html, 'bill-payment-voided')[0].text).toBe('已作废')
    expect(one(html, 'bill-history-count').text).toBe('共 2 笔')
    expect(byTestId(html, 'bill-history-end')).toHaveLength(1)
    expect(byTestId(html, 'bill-history-more')).toHaveLength(0)
  })

  it('shows refunds with their amounts: refunding, partly refunded, refunded; an unknown state as sent', async () => {
    backend.on('GET /api/v1/owner/bills/history/', {
      status: 200,
      data: {
        count: 5,
        next: null,
        previous: null,
        results: [
          payment({ id: 5, method: 'wechat', method_label: '微信支付', amount: '1289.50', refund_state: 'refunding', refunding_amount: '1289.50' }),
          payment({ id: 4, method: 'wechat', amount: '300.00', refund_state: 'partially_refunded', refunded_amount: '100.00' }),
          payment({ id: 3, method: 'wechat', amount: '223.75', refund_state: 'refunded', refunded_amount: '223.75' }),
          payment({ id: 2, refund_state: 'reversed' as never, refunded_amount: '5.00' }),
          payment({ id: 1 }),
        ],
      },
    })
    const html = await show(History, { house: '202' })
    const rows = byTestId(html, 'bill-payment')
    const refund = (i: number) => byTestId(rows[i].html, 'bill-payment-refund')
    expect(refund(0)[0].text).toBe('退款中 ¥1,289.50')
    expect(refund(0)[0].attr('data-refund-state')).toBe('refunding')
    expect(refund(1)[0].text).toBe('部分退款 ¥100.00')
    expect(refund(2)[0].text).toBe('已退款 ¥223.75')
    expect(refund(3)[0].text).toBe('reversed ¥5.00')
    expect(refund(4)).toHaveLength(0)
  })

  it('offers the next page and says when there are no payments', async () => {
    backend.on('GET /api/v1/owner/bills/history/', {
      status: 200,
      data: { count: 25, next: 'http://alpha.localhost/api/v1/owner/bills/history/?page=2', previous: null, results: [payment({ id: 9 })] },
    })
    let html = await show(History)
    expect(backend.called()).toEqual(['GET /api/v1/owner/bills/history/?page=1'])
    expect(byTestId(html, 'bill-history-more')).toHaveLength(1)

    backend.on('GET /api/v1/owner/bills/history/', { status: 200, data: { count: 0, next: null, previous: null, results: [] } })
    html = await show(History, { house: '101' })
    expect(one(html, 'bill-history-empty').text).toContain('暂无缴费记录')
  })
})
