/**
 * 缴费: money display, the grouping of lines, the bills store over a scripted backend, the receipt
 * download URL, and the platform's PDF opening on H5 and in the mini-program (fakes).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { formatYuan, isPositiveAmount, isZeroAmount, parseAmount } from '@/utils/money'
import { billGroups, chooseHouse, createBillsStore, hasBills, lastDayOf, periodText } from '@/stores/bills'
import { createPlatform } from '@/platform/create'
import type { BrowserLike, UniLike, WindowLike } from '@/platform/create'
import { PlatformError } from '@/platform/types'
import { TAB_PAGES, billHistoryUrl, PAGES } from '@/config/routes'
import { FEATURES, featureUrl } from '@/config/features'
import { createFakeBackend, HOUSES } from './support/fake-api'
import { houseBills, line, payment } from './support/bills'

describe('money display', () => {
  it('formats decimal strings as yuan with grouping, never via floating point', () => {
    expect(formatYuan('1234.50')).toBe('¥1,234.50')
    expect(formatYuan('1234.5')).toBe('¥1,234.50')
    expect(formatYuan('0.00')).toBe('¥0.00')
    expect(formatYuan('0')).toBe('¥0.00')
    expect(formatYuan('.5')).toBe('¥0.50')
    expect(formatYuan('-3.00')).toBe('-¥3.00')
    expect(formatYuan('-0.00')).toBe('¥0.00')
    expect(formatYuan('1000000')).toBe('¥1,000,000.00')
    expect(formatYuan('000123.40')).toBe('¥123.40')
    // Beyond what a double holds exactly: still every digit.
    expect(formatYuan('98765432109876543.21')).toBe('¥98,765,432,109,876,543.21')
    // 0.1 + 0.2 style values are shown as written (no float arithmetic anywhere).
    expect(formatYuan('0.30')).toBe('¥0.30')
  })

  it('rounds a third decimal half up on the digits', () => {
    expect(formatYuan('1.005')).toBe('¥1.01') // as a double 1.005 is 1.00499…: a float would say 1.00
    expect(formatYuan('1.004')).toBe('¥1.00')
    expect(formatYuan('9.995')).toBe('¥10.00')
    expect(formatYuan('999.999')).toBe('¥1,000.00')
  })

  it('shows nothing for what is not an amount', () => {
    for (const bad of ['', 'abc', '1,234.00', '1.2.3', '-', '.', null, undefined]) expect(formatYuan(bad)).toBe('')
    expect(parseAmount('12.3')).toEqual({ negative: false, yuan: '12', fen: '30' })
  })

  it('tells zero and positive amounts apart', () => {
    expect(isZeroAmount('0.00')).toBe(true)
    expect(isZeroAmount('-0')).toBe(true)
    expect(isZeroAmount('0.01')).toBe(false)
    expect(isPositiveAmount('0.01')).toBe(true)
    expect(isPositiveAmount('0.00')).toBe(false)
    expect(isPositiveAmount('-5.00')).toBe(false)
  })
})

describe('periods', () => {
  it('treats the end as exclusive and names whole months', () => {
    expect(lastDayOf('2026-10-01')).toBe('2026-09-30')
    expect(lastDayOf('2026-03-01')).toBe('2026-02-28')
    expect(lastDayOf('2024-03-01')).toBe('2024-02-29')
    expect(lastDayOf('2027-01-01')).toBe('2026-12-31')
    expect(periodText('2026-09-01', '2026-10-01')).toBe('2026-09')
    expect(periodText('2026-12-01', '2027-01-01')).toBe('2026-12')
    expect(periodText('2026-09-01', '2026-12-01')).toBe('2026-09-01 至 2026-11-30')
    expect(periodText('2026-09-15', '2026-10-01')).toBe('2026-09-15 至 2026-09-30')
    expect(periodText('2026-09-26', '2026-09-27')).toBe('2026-09-26')
  })
})

describe('bill groups', () => {
  const bills = houseBills({
    overdue: [line({ id: 1, status: 'overdue', outstanding: '223.75', due_date: '2026-09-11' })],
    due: [
      line({ id: 2, status: 'unpaid', period_start: '2026-11-01', period_end: '2026-12-01' }),
      line({ id: 3, status: 'partial', amount: '223.75', paid: '100.00', outstanding: '123.75' }),
    ],
    paid: [line({ id: 4, status: 'paid', amount: '223.75', paid: '223.75', outstanding: '0.00' })],
    late_fees_accruing: [{ principal: 1, fee_item_name: '物业费', period_start: '2026-09-01', period_end: '2026-10-01', amount: '1.12', explanation: '逾期 10 天滞纳金（缴费时入账）' }],
  })

  it('orders overdue (with the late fee building up on each), due, then paid', () => {
    const groups = billGroups(bills)
    expect(groups.map((g) => g.key)).toEqual(['overdue', 'due', 'paid'])
    expect(groups[0].rows.map((r) => [r.key, r.status, r.amount])).toEqual([
      ['c1', 'overdue', '223.75'],
      ['a1', 'accruing', '1.12'],
    ])
    expect(groups[0].rows[1].feeItemName).toBe('物业费滞纳金')
    expect(groups[0].rows[1].explanation).toBe('逾期 10 天滞纳金（缴费时入账）')
    expect(groups[0].rows[1]).toMatchObject({ period: '2026-09', forBill: '物业费 2026-09 的滞纳金' })
    expect(groups[1].rows.map((r) => r.key)).toEqual(['c2', 'c3'])
    expect(groups[1].rows[0].period).toBe('2026-11')
  })

  it('shows what is still owed, and for a partly paid line what was paid of how much', () => {
    const [, due, paid] = billGroups(bills)
    expect(due.rows[1]).toMatchObject({ amount: '123.75', paid: '100.00', total: '223.75', status: 'partial' })
    expect(due.rows[0]).toMatchObject({ paid: null, total: null })
    expect(paid.rows[0]).toMatchObject({ amount: '223.75', status: 'paid', paid: null })
  })

  it('leaves empty groups out and knows a house without bills', () => {
    const onlyPaid = houseBills({ paid: [line({ id: 9, status: 'paid' })] })
    expect(billGroups(onlyPaid).map((g) => g.key)).toEqual(['paid'])
    expect(hasBills(onlyPaid)).toBe(true)
    expect(billGroups(houseBills())).toEqual([])
    expect(hasBills(houseBills())).toBe(false)
    expect(hasBills(null)).toBe(false)
  })

  it('names a posted late fee as one, and the bill it is for', () => {
    const principal = { id: 3, fee_item_name: '物业费', period_start: '2026-08-01', period_end: '2026-09-01' }
    const posted = houseBills({
      due: [line({ id: 8, kind: 'late_fee', period_start: '2026-08-17', period_end: '2026-09-02', explanation: '逾期 15 天 × 0.05%', principal })],
    })
    expect(billGroups(posted)[0].rows[0]).toMatchObject({
      feeItemName: '物业费滞纳金',
      explanation: '逾期 15 天 × 0.05%',
      forBill: '物业费 2026-08 的滞纳金',
    })
    expect(billGroups(houseBills({ due: [line({ id: 9 })] }))[0].rows[0].forBill).toBe('')
  })

  it('keeps a late fee whose principal is not listed', () => {
    const orphan = houseBills({ late_fees_accruing: [{ principal: 77, fee_item_name: '水费', period_start: '2026-07-01', period_end: '2026-08-01', amount: '0.50', explanation: 'x' }] })
    expect(billGroups(orphan)[0].rows.map((r) => r.key)).toEqual(['a77'])
  })

  it('opens the house asked for, else the one the owner pays for, else the first', () => {
    const two = [houseBills({ house: 101 }), houseBills({ house: 202 })]
    expect(chooseHouse(two, 101, HOUSES)).toBe(101)
    expect(chooseHouse(two, 999, HOUSES)).toBe(202) // HOUSES: 202 is the primary payer's
    expect(chooseHouse(two, null, null)).toBe(101)
    expect(chooseHouse([], null, HOUSES)).toBeNull()
  })

})

describe('bills store', () => {
  const backend = createFakeBackend()
  const store = createBillsStore(backend.api)
  beforeEach(() => {
    backend.reset()
    store.reset()
  })

  it('loads every house once and selects the primary payer house', async () => {
    backend.on('GET /api/v1/owner/bills/', { status: 200, data: [houseBills({ house: 101 }), houseBills({ house: 202 })] })
    await store.load(HOUSES)
    expect(backend.called()).toEqual(['GET /api/v1/owner/bills/'])
    expect(store.state.status).toBe('ready')
    expect(store.state.selected).toBe(202)
    store.select(101)
    await store.load(HOUSES)
    expect(store.state.selected).toBe(101) // the owner's own choice stands
    store.reset()
    expect(store.state).toMatchObject({ houses: null, selected: null, picked: null, status: 'idle' })
  })

  it('keeps what it showed when a reload fails, and fails visibly only the first time', async () => {
    backend.on('GET /api/v1/owner/bills/', { status: 500, data: {} })
    await store.load()
    expect(store.state.status).toBe('error')
    expect(store.state.error).toBe('服务器繁忙，请稍后再试')
    backend.on('GET /api/v1/owner/bills/', { status: 200, data: [houseBills({ house: 101 })] })
    await store.load()
    backend.on('GET /api/v1/owner/bills/', { status: 500, data: {} })
    await store.load()
    expect(store.state.status).toBe('ready')
    expect(store.state.houses).toHaveLength(1)
  })

  it('drops an answer that arrives after a logout', async () => {
    let release: () => void = () => undefined
    backend.request.mockImplementationOnce(
      () => new Promise((resolve) => (release = () => resolve({ status: 200, data: [houseBills({ house: 101 })] }))),
    )
    const pending = store.load()
    store.reset()
    release()
    await pending
    expect(store.state.houses).toBeNull()
  })

  it('pages the history of one house, appending and skipping repeats', async () => {
    backend.on('GET /api/v1/owner/bills/history/', (o) => {
      const page = o.url.includes('page=2') ? 2 : 1
      return {
        status: 200,
        data:
          page === 1
            ? { count: 3, next: 'http://x/?page=2', previous: null, results: [payment({ id: 3 }), payment({ id: 2 })] }
            : { count: 3, next: null, previous: 'http://x/?page=1', results: [payment({ id: 2 }), payment({ id: 1 })] },
      }
    })
    await store.loadHistory(202)
    expect(backend.called()).toEqual(['GET /api/v1/owner/bills/history/?house=202&page=1'])
    expect(store.state.history).toMatchObject({ status: 'ready', count: 3, page: 1, hasMore: true })
    await store.loadMoreHistory()
    expect(backend.called()[1]).toBe('GET /api/v1/owner/bills/history/?house=202&page=2')
    expect(store.state.history.items.map((p) => p.id)).toEqual([3, 2, 1])
    expect(store.state.history.hasMore).toBe(false)
    await store.loadMoreHistory() // nothing more to ask for
    expect(backend.calls).toHaveLength(2)
    await store.loadHistory(null)
    expect(backend.called()[2]).toBe('GET /api/v1/owner/bills/history/?page=1')
  })

  it('hands out the receipt PDF URL with the token, for the platform to download', () => {
    expect(backend.api.receiptPdf(42)).toEqual({
      url: '/api/v1/owner/receipts/42/pdf/',
      headers: { Authorization: 'Bearer owner-token', 'Accept-Language': 'zh-hans' },
    })
  })
})

describe('the 缴费 tile', () => {
  it('opens the bills page; modules still to come open "即将上线"', () => {
    expect(FEATURES[0]).toMatchObject({ key: 'bills', page: PAGES.bills })
    expect(featureUrl('bills')).toBe('/pages/bills/bills')
    expect(featureUrl('repairs')).toBe('/pages/repairs/repairs')
    expect(featureUrl('visitors')).toBe('/pages/coming-soon/coming-soon?feature=visitors')
    expect(billHistoryUrl(202)).toBe('/pages/bills/history?house=202')
    expect(billHistoryUrl(null)).toBe('/pages/bills/history')
  })
})

/* ---------------------------------------------------------------- opening a receipt */

function fakeUni(overrides: Partial<UniLike> = {}): UniLike {
  return {
    request: vi.fn(),
    getStorageSync: () => '',
    setStorageSync: vi.fn(),
    removeStorageSync: vi.fn(),
    showToast: vi.fn(),
    showModal: vi.fn(),
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    switchTab: vi.fn(),
    navigateBack: vi.fn(),
    setNavigationBarColor: vi.fn(),
    setNavigationBarTitle: vi.fn(),
    setTabBarStyle: vi.fn(),
    ...overrides,
  }
}

function fakeBrowser(answer: { ok: boolean; status: number } | Error, win: WindowLike | null) {
  const timers: Array<() => void> = []
  const browser: BrowserLike & { timers: typeof timers } = {
    timers,
    fetch: vi.fn(async () => {
      if (answer instanceof Error) throw answer
      return { ...answer, blob: async () => new Blob(['%PDF-1.7'], { type: 'application/pdf' }) }
    }),
    openWindow: vi.fn(() => win),
    createObjectURL: vi.fn(() => 'blob:http://alpha.localhost/abc'),
    revokeObjectURL: vi.fn(),
    saveAs: vi.fn(),
    setTimeout: vi.fn((fn: () => void) => timers.push(fn)),
  }
  return browser
}

const FILE = { url: '/api/v1/owner/receipts/42/pdf/', headers: { Authorization: 'Bearer tk' }, fileName: 'R-1.pdf' }

describe('opening a receipt PDF (H5)', () => {
  it('opens a window at once, fetches with the token and shows the file as an object URL', async () => {
    const win = { location: { href: '' }, close: vi.fn() }
    const browser = fakeBrowser({ ok: true, status: 200 }, win)
    const p = createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES, browser })
    const opening = p.openPdf(FILE)
    expect(browser.openWindow).toHaveBeenCalledTimes(1) // synchronously, inside the tap
    await opening
    expect(browser.fetch).toHaveBeenCalledWith(FILE.url, { headers: { Authorization: 'Bearer tk' } })
    expect(win.location.href).toBe('blob:http://alpha.localhost/abc')
    expect(browser.revokeObjectURL).not.toHaveBeenCalled()
    browser.timers.forEach((fn) => fn())
    expect(browser.revokeObjectURL).toHaveBeenCalledWith('blob:http://alpha.localhost/abc')
  })

  it('saves the file when a pop-up blocker refuses the window', async () => {
    const browser = fakeBrowser({ ok: true, status: 200 }, null)
    const p = createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES, browser })
    await p.openPdf(FILE)
    expect(browser.saveAs).toHaveBeenCalledWith('blob:http://alpha.localhost/abc', 'R-1.pdf')
  })

  it('closes the window and rejects when the server refuses or the network fails', async () => {
    const win = { location: { href: '' }, close: vi.fn() }
    const p = createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES, browser: fakeBrowser({ ok: false, status: 404 }, win) })
    await expect(p.openPdf(FILE)).rejects.toMatchObject({ code: 'failed', status: 404 })
    expect(win.close).toHaveBeenCalled()
    expect(win.location.href).toBe('')
    const offline = createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES, browser: fakeBrowser(new TypeError('Failed to fetch'), null) })
    await expect(offline.openPdf(FILE)).rejects.toBeInstanceOf(PlatformError)
  })

  it('refuses without a browser', async () => {
    const p = createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES })
    await expect(p.openPdf(FILE)).rejects.toMatchObject({ code: 'unsupported' })
  })
})

describe('opening a receipt PDF (mini-program)', () => {
  it('downloads with the header and opens the document', async () => {
    const uni = fakeUni({
      downloadFile: vi.fn((o: any) => o.success({ statusCode: 200, tempFilePath: 'wxfile://tmp/r.pdf' })),
      openDocument: vi.fn((o: any) => o.success()),
    })
    const p = createPlatform({ kind: 'mp-weixin', uni, tabPages: TAB_PAGES })
    await p.openPdf({ ...FILE, url: 'https://alpha.example/api/v1/owner/receipts/42/pdf/' })
    expect((uni.downloadFile as any).mock.calls[0][0]).toMatchObject({
      url: 'https://alpha.example/api/v1/owner/receipts/42/pdf/',
      header: { Authorization: 'Bearer tk' },
    })
    expect((uni.openDocument as any).mock.calls[0][0]).toMatchObject({ filePath: 'wxfile://tmp/r.pdf', fileType: 'pdf' })
  })

  it('rejects an answer that is not the file without opening it', async () => {
    const uni = fakeUni({
      downloadFile: vi.fn((o: any) => o.success({ statusCode: 401, tempFilePath: 'wxfile://tmp/err' })),
      openDocument: vi.fn(),
    })
    const p = createPlatform({ kind: 'mp-weixin', uni, tabPages: TAB_PAGES })
    await expect(p.openPdf(FILE)).rejects.toMatchObject({ code: 'failed', status: 401 })
    expect(uni.openDocument).not.toHaveBeenCalled()
  })

  it('ends the pull-down refresh through uni', () => {
    const uni = fakeUni({ stopPullDownRefresh: vi.fn() })
    createPlatform({ kind: 'mp-weixin', uni, tabPages: TAB_PAGES }).stopPullDownRefresh()
    expect(uni.stopPullDownRefresh).toHaveBeenCalled()
  })
})
