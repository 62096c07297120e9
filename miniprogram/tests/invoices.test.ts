/**
 * 发票 for owners: the title form's rules (the server's, checked first here), the store's choice of
 * payments (one house per invoice, the total in fen) and what the page shows over a scripted backend.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { isValidTaxNumber, invoiceFormErrors } from '@/utils/invoice'
import { byTestId, one, render, settle } from './support/render'
import { backend, invoices, resetSession } from './support/fake-session'

const hooks = vi.hoisted(() => ({ onShow: [] as Array<() => unknown> }))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: () => undefined,
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

const Page = (await import('@/pages/invoices/invoices.vue')).default

async function show(): Promise<string> {
  hooks.onShow.length = 0
  await render(Page)
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(Page)
}

const PAYMENTS = [
  { id: 11, house: 101, house_label: '1栋1单元101', method: 'cash', method_label: '现金', received_at: '2026-11-02T02:00:00Z', amount: '100.00', invoiceable: '100.00' },
  { id: 12, house: 101, house_label: '1栋1单元101', method: 'wechat', method_label: '微信支付', received_at: '2026-11-03T02:00:00Z', amount: '60.00', invoiceable: '50.10' },
  { id: 13, house: 202, house_label: '3栋2单元1101', method: 'cash', method_label: '现金', received_at: '2026-11-04T02:00:00Z', amount: '80.00', invoiceable: '80.00' },
]

const INVOICE = {
  id: 5,
  house: 101,
  house_label: '1栋1单元101',
  estate_name: '翠湖苑',
  title_kind: 'personal',
  title: '林业主',
  tax_number: '',
  email: '',
  amount: '100.00',
  status: 'issued',
  kind: 'electronic',
  invoice_code: '011000000001',
  invoice_number: '00000042',
  issued_at: '2026-11-05T02:00:00Z',
  failure: '',
  reject_reason: '',
  void_reason: '',
  voided_at: null,
  has_pdf: true,
  lines: [],
  requested_by_name: '林业主',
  decided_by_name: '',
  created_at: '2026-11-05T01:00:00Z',
}

const page = (results: unknown[]) => ({ status: 200, data: { count: results.length, next: null, previous: null, results } })

beforeEach(() => {
  resetSession()
})

describe('invoice title rules', () => {
  it('checks a unified social credit code by its check character, and legacy lengths', () => {
    expect(isValidTaxNumber('91350100M000100Y43')).toBe(true)
    expect(isValidTaxNumber('91350100M000100Y44')).toBe(false)
    expect(isValidTaxNumber('91350100M000100I43')).toBe(false)
    expect(isValidTaxNumber('330106123456789')).toBe(true)
    expect(isValidTaxNumber('12345')).toBe(false)
  })

  it('needs payments, a title, a tax number for a company, and a well-formed email', () => {
    const form = { titleKind: 'company' as const, title: ' ', taxNumber: '', email: 'x@', payments: [] }
    expect(Object.keys(invoiceFormErrors(form)).sort()).toEqual(['email', 'payments', 'tax_number', 'title'])
    const good = { titleKind: 'company' as const, title: '某公司', taxNumber: '91350100m000100y43', email: '', payments: [1] }
    expect(invoiceFormErrors(good)).toEqual({})
    expect(invoiceFormErrors({ ...good, titleKind: 'personal', taxNumber: '' })).toEqual({})
  })
})

describe('invoices page', () => {
  it('lists requests and paid payments; one house per invoice; sends the form', async () => {
    backend.on('GET /api/v1/owner/invoices/', page([INVOICE]))
    backend.on('GET /api/v1/owner/invoices/payments/', page(PAYMENTS))
    let sent: unknown = null
    backend.on('POST /api/v1/owner/invoices/', (o) => {
      sent = o.data
      return { status: 201, data: { ...INVOICE, id: 6, status: 'requested' } }
    })
    let html = await show()
    expect(one(html, 'invoices-page').attr('data-status')).toBe('ready')
    expect(one(html, 'invoice').attr('data-status')).toBe('issued')
    expect(one(html, 'invoice-number').text).toContain('00000042')
    expect(byTestId(html, 'invoice-payment')).toHaveLength(3)

    invoices.toggle(11)
    invoices.toggle(12)
    expect(invoices.total()).toBe('¥150.10')
    invoices.toggle(13) // another house: the choice starts again
    expect(invoices.state.form.payments).toEqual([13])
    invoices.toggle(13)
    invoices.toggle(11)

    expect(await invoices.submit()).toBe(false) // no title yet
    html = await render(Page)
    expect(one(html, 'invoice-title-error').text).toBeTruthy()
    invoices.state.form.title = '林业主'
    expect(await invoices.submit()).toBe(true)
    expect(sent).toMatchObject({ house: 101, payments: [11], title_kind: 'personal', title: '林业主' })
  })

  it('shows the server’s field error, and an empty state when nothing can be invoiced', async () => {
    backend.on('GET /api/v1/owner/invoices/', page([]))
    backend.on('GET /api/v1/owner/invoices/payments/', page([PAYMENTS[0]]))
    backend.on('POST /api/v1/owner/invoices/', {
      status: 400,
      data: { code: 'invalid', message: '所选缴费已在其他发票申请中。', fields: { payments: ['所选缴费已在其他发票申请中。'] } },
    })
    let html = await show()
    expect(byTestId(html, 'invoices-empty')).toHaveLength(1)
    invoices.toggle(11)
    invoices.state.form.title = '林业主'
    expect(await invoices.submit()).toBe(false)
    html = await render(Page)
    expect(one(html, 'invoice-payments-error').text).toContain('其他发票申请')

    backend.on('GET /api/v1/owner/invoices/payments/', page([]))
    html = await show()
    expect(byTestId(html, 'invoices-no-payments')).toHaveLength(1)
  })
})
