/**
 * The vendor tests' common ground (vendors, vendor-booking and vendor-orders): a vendor, its
 * offerings and slots, orders and their payment orders as the server sends them, the backend every
 * test starts from, and opening a page as the uni runtime does.
 *
 * It also stands in for `@dcloudio/uni-app` and `@/platform` in those files
 * (`vi.mock('@dcloudio/uni-app', () => import('./support/vendors'))`, likewise `@/platform`): the
 * page hooks are collected here for `show` / `mounted` to run, and `platform` is a set of spies.
 */
import { vi } from 'vitest'
import { render, settle } from './render'
import { mount } from './mount'
import { backend, resetSession } from './fake-session'
import { HOUSES, profile } from './fake-api'
import { ok } from './photo-uploads'
import { setLocale } from '@/i18n'
import type { OwnerOffering, OwnerSlot, OwnerVendor, OwnerVendorDetail, PaymentOrder, VendorOrder } from '@/api/types'
import type { RequestOptions } from '@/platform/types'

export { ok }

const hooks = { onShow: [] as Array<() => unknown>, onLoad: [] as Array<(q: object) => unknown> }

// `@dcloudio/uni-app`
export const onShow = (fn: () => unknown) => hooks.onShow.push(fn)
export const onLoad = (fn: (q: object) => unknown) => hooks.onLoad.push(fn)
export const onHide = () => undefined
export const onUnload = () => undefined
export const onPullDownRefresh = () => undefined
export const onReachBottom = () => undefined

// `@/platform`
export const platform = {
  kind: 'h5',
  navigateTo: vi.fn(),
  redirectTo: vi.fn(),
  reLaunch: vi.fn(),
  toast: vi.fn(),
  confirm: vi.fn(async () => true),
  stopPullDownRefresh: vi.fn(),
  setNavigationBarTitle: vi.fn(),
  makePhoneCall: vi.fn(),
  previewImages: vi.fn(),
  requestPayment: vi.fn(async () => undefined),
  openPaymentPage: vi.fn(),
}

/** Open a page as uni does: `start` it, run its onLoad with the query, then its onShow, let the loads finish. */
async function open(start: () => unknown, query: object): Promise<void> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await start()
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
}

/** Render a page (support/render) once it is open: its HTML. */
export async function show(page: Parameters<typeof render>[0], query: object = {}): Promise<string> {
  await open(() => render(page), query)
  return render(page)
}

/** Mount a page (support/mount) to tap it, as `show` opens it: its onLoad with the query, then onShow. */
export async function mounted(page: Parameters<typeof mount>[0], query: object = {}) {
  let root!: ReturnType<typeof mount>
  await open(() => (root = mount(page)), query)
  return root
}

export const page = <T>(results: T[]) => ({ count: results.length, next: null, previous: null, results })
export const hoursFromNow = (h: number) => new Date(Date.now() + h * 3600_000).toISOString()

export function offering(o: Partial<OwnerOffering> = {}): OwnerOffering {
  return {
    id: 31,
    kind: 'service',
    name: '日常保洁',
    description: '两小时上门保洁',
    price_mode: 'fixed',
    price: '80.00',
    unit: '次',
    duration_minutes: 120,
    photos: [],
    ...o,
  }
}

export function slot(o: Partial<OwnerSlot> = {}): OwnerSlot {
  return { id: 51, starts_at: '2026-12-05T01:00:00Z', ends_at: '2026-12-05T03:00:00Z', capacity: 2, free: 1, ...o }
}

/** A row of the list: no address, hours, distance or photo unless the test gives them. */
export function listed(o: Partial<OwnerVendor> = {}): OwnerVendor {
  return {
    id: 7,
    name: '好帮手家政',
    kind: 'housekeeping',
    contact_name: '王经理',
    phone: '02188886666',
    address: '',
    opens_at: null,
    closes_at: null,
    hours_note: '',
    is_open: null,
    distance_m: null,
    cover_url: null,
    ...o,
  }
}

export const VENDOR: OwnerVendorDetail = {
  ...listed(),
  intro: '',
  photos: [],
  offerings: [offering(), offering({ id: 32, name: '深度保洁', price_mode: 'quoted', price: '200.00' }), offering({ id: 33, kind: 'goods', name: '洗衣液', price: '25.50', unit: '瓶', duration_minutes: null })],
  slots: [
    slot(),
    slot({ id: 52, starts_at: '2026-12-05T06:00:00Z', ends_at: '2026-12-05T08:00:00Z', free: 0 }),
    // 23:00 UTC on the 5th is the 6th in Shanghai.
    slot({ id: 53, starts_at: '2026-12-05T23:00:00Z', ends_at: '2026-12-06T01:00:00Z', free: 2 }),
  ],
}

export function order(o: Partial<VendorOrder> = {}): VendorOrder {
  return {
    id: 91,
    number: 'FW20261203001',
    vendor_id: 7,
    vendor_name: '好帮手家政',
    offering_name: '日常保洁',
    price_mode: 'fixed',
    unit_price: '80.00',
    quantity: 1,
    amount: '80.00',
    refunded: '0.00',
    fulfilment: 'at_home',
    scheduled_start: '2026-12-05T01:00:00Z',
    scheduled_end: '2026-12-05T03:00:00Z',
    house: 202,
    house_label: '3栋2单元1101',
    contact_name: '林业主',
    contact_phone: '138****3333',
    note: '',
    status: 'unpaid',
    cancelled_by: '' as VendorOrder['cancelled_by'],
    cancel_reason: '',
    rating: null,
    rating_comment: '',
    complaint: null,
    created_at: '2026-12-03T02:00:00Z',
    pay_by: hoursFromNow(0.25),
    paid_at: null,
    confirmed_at: null,
    started_at: null,
    completed_at: null,
    cancelled_at: null,
    awaits_payment: false,
    ...o,
  }
}

export function paymentOrder(o: Partial<PaymentOrder> = {}): PaymentOrder {
  return {
    id: 401,
    purpose: 'vendor_orders',
    house: 202,
    amount: '80.00',
    description: '好帮手家政 日常保洁',
    gateway: 'wechatpay',
    channel: 'h5',
    status: 'pending',
    out_trade_no: 'W1',
    expires_at: hoursFromNow(0.25),
    paid_at: null,
    settlement: '',
    settled_reference: '',
    created_at: '2026-12-03T02:00:00Z',
    lines: [],
    request_payment: null,
    card: null,
    pay_url: 'http://pay.example/h5?prepay_id=1',
    ...o,
  } as PaymentOrder
}

/** Bodies the scripted backend received, by "METHOD /path". */
export const bodies = (key: string) =>
  backend.calls.filter((c: RequestOptions) => `${c.method} ${c.url.split('?')[0]}` === key).map((c) => c.data as Record<string, unknown>)

/** Each test's start (`beforeEach`): a fresh owner with my houses and profile, vendor 7, WeChat Pay on H5. */
export function resetVendors(): void {
  resetSession()
  vi.clearAllMocks()
  setLocale('zh-CN')
  backend.on('GET /api/v1/owner/houses/', ok(HOUSES))
  backend.on('GET /api/v1/owner/profile/', ok(profile()))
  backend.on('GET /api/v1/owner/vendors/7/', ok(VENDOR))
  backend.on('GET /api/v1/owner/payments/methods/', ok([{ gateway: 'wechatpay', channel: 'h5', label: '微信支付' }]))
}
