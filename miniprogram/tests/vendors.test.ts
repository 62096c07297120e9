/**
 * 家政服务 and 我的服务订单 over a scripted backend: prices, slots grouped by day (full ones
 * disabled), the booking form (one idempotency key per submit, kept across a retry of the same
 * form), paying an unpaid order through the shared payment step (purpose vendor_orders), following
 * that payment, cancelling and rating, and the pages — a shop's cover, hours with 营业中 / 已打烊,
 * its distance from my estate, nearest first, its photos, and the call button.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { findAll, mount, tap, textOf } from './support/mount'
import { backend, downloadImage, resetSession, vendors } from './support/fake-session'
import { HOUSES, profile } from './support/fake-api'
import { platform } from '@/platform'
import { setLocale } from '@/i18n'
import { featureUrl } from '@/config/features'
import { vendorOrderUrl } from '@/config/routes'
import { canCancel, canComplain, canPay, canRate, groupSlots, priceText, scheduleText } from '@/stores/vendors'
import { distanceText, hoursText, openTag } from '@/stores/vendorShop'
import { createOrderWatch } from '@/stores/pay'
import { launchPayment } from '@/stores/checkout'
import { PlatformError } from '@/platform/types'
import type { OwnerOffering, OwnerSlot, OwnerVendor, OwnerVendorDetail, PaymentOrder, VendorOrder } from '@/api/types'
import type { RequestOptions } from '@/platform/types'

const hooks = vi.hoisted(() => ({ onShow: [] as Array<() => unknown>, onLoad: [] as Array<(q: object) => unknown> }))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: (fn: (q: object) => unknown) => hooks.onLoad.push(fn),
  onHide: () => undefined,
  onUnload: () => undefined,
  onPullDownRefresh: () => undefined,
  onReachBottom: () => undefined,
}))
vi.mock('@/platform', () => ({
  platform: {
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
  },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const ListPage = (await import('@/pages/vendors/list.vue')).default
const VendorPage = (await import('@/pages/vendors/detail.vue')).default
const OrdersPage = (await import('@/pages/vendor-orders/list.vue')).default
const OrderPage = (await import('@/pages/vendor-orders/detail.vue')).default

async function show(page: Parameters<typeof render>[0], query: object = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

/** Mount a page (support/mount) to tap it, as `show` opens it: its onLoad with the query, then onShow. */
async function mounted(page: Parameters<typeof mount>[0], query: object = {}) {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  const root = mount(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return root
}

const ok = (data: unknown, status = 200) => ({ status, data })
const page = <T>(results: T[]) => ({ count: results.length, next: null, previous: null, results })
const hoursFromNow = (h: number) => new Date(Date.now() + h * 3600_000).toISOString()

function offering(o: Partial<OwnerOffering> = {}): OwnerOffering {
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

function slot(o: Partial<OwnerSlot> = {}): OwnerSlot {
  return { id: 51, starts_at: '2026-12-05T01:00:00Z', ends_at: '2026-12-05T03:00:00Z', capacity: 2, free: 1, ...o }
}

/** A row of the list: no address, hours, distance or photo unless the test gives them. */
function listed(o: Partial<OwnerVendor> = {}): OwnerVendor {
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

const photo = (id: number) => ({
  id,
  url: `/api/v1/owner/vendors/7/photos/${id}/`,
  thumbnail_url: `/api/v1/owner/vendors/7/photos/${id}/thumbnail/`,
})

const VENDOR: OwnerVendorDetail = {
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

function order(o: Partial<VendorOrder> = {}): VendorOrder {
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

function paymentOrder(o: Partial<PaymentOrder> = {}): PaymentOrder {
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
const bodies = (key: string) =>
  backend.calls.filter((c: RequestOptions) => `${c.method} ${c.url.split('?')[0]}` === key).map((c) => c.data as Record<string, unknown>)

beforeEach(() => {
  resetSession()
  vi.clearAllMocks()
  setLocale('zh-CN')
  backend.on('GET /api/v1/owner/houses/', ok(HOUSES))
  backend.on('GET /api/v1/owner/profile/', ok(profile()))
  backend.on('GET /api/v1/owner/vendors/7/', ok(VENDOR))
  backend.on('GET /api/v1/owner/payments/methods/', ok([{ gateway: 'wechatpay', channel: 'h5', label: '微信支付' }]))
})

describe('vendor views', () => {
  it('shows a fixed price with its unit and a quoted one as 上门报价 from its price', () => {
    expect(priceText(offering())).toBe('¥80.00/次')
    expect(priceText(offering({ price_mode: 'quoted', price: '200.00' }))).toBe('上门报价 · ¥200.00起')
    expect(priceText(offering({ price_mode: 'quoted', price: '0.00' }))).toBe('上门报价')
  })

  it('groups slots by Shanghai day in time order and marks full ones', () => {
    const days = groupSlots([VENDOR.slots[2], VENDOR.slots[1], VENDOR.slots[0]])
    expect(days.map((d) => d.day)).toEqual(['2026-12-05', '2026-12-06'])
    expect(days[0].label).toBe('12-05 周六')
    expect(days[0].slots.map((s) => [s.id, s.time, s.full])).toEqual([
      [51, '09:00–11:00', false],
      [52, '14:00–16:00', true],
    ])
    expect(days[1].slots[0]).toMatchObject({ id: 53, time: '07:00–09:00', free: 2, full: false })
    setLocale('en')
    expect(groupSlots(VENDOR.slots)[0].label).toBe('12-05 Sat')
  })

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

  it('formats the distance from my estate in metres under a kilometre, else in kilometres; nothing when unknown', () => {
    expect(distanceText(0)).toBe('0 m')
    expect(distanceText(350)).toBe('350 m')
    expect(distanceText(999.4)).toBe('999 m')
    expect(distanceText(999.6)).toBe('1.0 km')
    expect(distanceText(1234)).toBe('1.2 km')
    expect(distanceText(9940)).toBe('9.9 km')
    expect(distanceText(9960)).toBe('10 km')
    expect(distanceText(12_345)).toBe('12 km')
    expect(distanceText(null)).toBe('')
    expect(distanceText(undefined)).toBe('')
    expect(distanceText(Number.NaN)).toBe('')
  })

  it('shows hours as HH:MM, past midnight as the next day, and the open tag only when there are hours', () => {
    expect(hoursText({ opens_at: '09:00:00', closes_at: '21:30:00' })).toBe('09:00–21:30')
    expect(hoursText({ opens_at: '18:00:00', closes_at: '02:00:00' })).toBe('18:00–次日02:00')
    expect(hoursText({ opens_at: null, closes_at: null })).toBe('')
    expect(openTag(true)).toEqual({ text: '营业中', open: true })
    expect(openTag(false)).toEqual({ text: '已打烊', open: false })
    expect(openTag(null)).toBeNull()
    setLocale('en')
    expect(hoursText({ opens_at: '18:00:00', closes_at: '02:00:00' })).toBe('18:00–02:00 next day')
    expect(openTag(true)?.text).toBe('Open')
    expect(openTag(false)?.text).toBe('Closed')
  })

  it('the home tiles open 家政服务 and 周边商家 (no longer the placeholder)', () => {
    expect(featureUrl('housekeeping')).toBe('/pages/vendors/list?kind=housekeeping')
    expect(featureUrl('merchant')).toBe('/pages/vendors/list?kind=merchant')
    expect(vendorOrderUrl(91, 401)).toBe('/pages/vendor-orders/detail?id=91&payment=401')
    expect(vendorOrderUrl(91)).toBe('/pages/vendor-orders/detail?id=91')
  })
})

describe('booking', () => {
  async function ready() {
    await vendors.openVendor(7)
    vendors.pickOffering(31)
    vendors.pickSlot(51)
    vendors.state.form.house = 202
    vendors.state.form.contactPhone = '13800001111'
  }

  it('prefills my name, offers my houses, and refuses a full slot', async () => {
    await vendors.openVendor(7)
    expect(vendors.state.form.contactName).toBe('林业主')
    expect(vendors.state.houses).toHaveLength(2)
    expect(vendors.state.form.house).toBeNull() // two houses: the owner picks
    vendors.pickOffering(31)
    expect(vendors.pickSlot(52)).toBe(false)
    expect(vendors.state.form.slot).toBeNull()
    expect(vendors.pickSlot(51)).toBe(true)
  })

  it('fresh slots drop a picked slot that filled up meanwhile', async () => {
    await ready()
    backend.on('GET /api/v1/owner/vendors/7/', ok({ ...VENDOR, slots: [slot({ free: 0 }), VENDOR.slots[2]] }))
    await vendors.refreshSlots()
    expect(vendors.state.form.slot).toBeNull()
    expect(vendors.slotDays()[0].slots[0].full).toBe(true)
  })

  it('says what is missing before asking the server', async () => {
    await vendors.openVendor(7)
    vendors.state.form.contactName = ''
    expect(await vendors.submit()).toBeNull()
    expect(Object.keys(vendors.state.errors).sort()).toEqual(['contact_name', 'contact_phone', 'house', 'offering'])
    vendors.pickOffering(31)
    await vendors.submit()
    expect(vendors.state.errors.slot).toBe('请选择服务时段')
    vendors.pickOffering(33)
    await vendors.submit()
    expect(vendors.state.errors.fulfilment).toBeTruthy()
    expect(bodies('POST /api/v1/owner/vendor-orders/')).toHaveLength(0)
  })

  it('keeps the idempotency key across a retry of the same submit and takes a new one for a changed form', async () => {
    await ready()
    backend.on('POST /api/v1/owner/vendor-orders/', () => {
      throw new Error('connection reset')
    })
    expect(await vendors.submit()).toBeNull()
    expect(vendors.state.errors.form).toBe('网络异常，请检查网络后重试')
    backend.on('POST /api/v1/owner/vendor-orders/', ok(order({ price_mode: 'quoted', amount: '0.00', status: 'booked' }), 201))
    const booked = await vendors.submit()
    expect(booked?.order.status).toBe('booked')
    const [first, retry] = bodies('POST /api/v1/owner/vendor-orders/')
    expect(retry.idempotency_key).toBe(first.idempotency_key)
    expect(first).toMatchObject({ vendor: 7, offering: 31, slot: 51, house: 202, quantity: 1, contact_name: '林业主', contact_phone: '13800001111' })
    expect(first).not.toHaveProperty('fulfilment')
    // The next booking (went through) and a changed form each get a key of their own.
    await vendors.submit()
    vendors.setQuantity(2)
    await vendors.submit()
    const keys = bodies('POST /api/v1/owner/vendor-orders/').map((b) => b.idempotency_key)
    expect(new Set(keys).size).toBe(3)
  })

  it('pays an unpaid order at once: purpose vendor_orders, the order as the charge, its house', async () => {
    await ready()
    backend.on('POST /api/v1/owner/vendor-orders/', ok(order(), 201))
    backend.on('POST /api/v1/owner/payments/', ok(paymentOrder(), 201))
    const booked = await vendors.submit()
    expect(booked?.payment?.id).toBe(401)
    const [pay] = bodies('POST /api/v1/owner/payments/')
    expect(pay).toMatchObject({ purpose: 'vendor_orders', charge_ids: [91], house: 202, gateway: 'wechatpay', channel: 'h5' })
    expect(String(pay.idempotency_key)).toMatch(/^pay-/)
  })

  it('an unpaid order with no way to pay here stays unpaid and says why', async () => {
    backend.on('GET /api/v1/owner/payments/methods/', ok([]))
    await ready()
    backend.on('POST /api/v1/owner/vendor-orders/', ok(order(), 201))
    const booked = await vendors.submit()
    expect(booked?.order.status).toBe('unpaid')
    expect(booked?.payment).toBeNull()
    expect(vendors.state.error).toBe('暂未开通在线支付')
    expect(bodies('POST /api/v1/owner/payments/')).toHaveLength(0)
  })

  it('books a quoted offering without paying', async () => {
    await ready()
    vendors.pickOffering(32)
    vendors.pickSlot(53)
    backend.on('POST /api/v1/owner/vendor-orders/', ok(order({ price_mode: 'quoted', amount: '0.00', status: 'booked' }), 201))
    const booked = await vendors.submit()
    expect(booked?.payment).toBeNull()
    expect(bodies('POST /api/v1/owner/payments/')).toHaveLength(0)
  })

  it('sends goods with their fulfilment and no slot', async () => {
    await ready()
    vendors.pickOffering(33)
    vendors.state.form.fulfilment = 'pickup'
    backend.on('POST /api/v1/owner/vendor-orders/', ok(order({ status: 'booked' }), 201))
    await vendors.submit()
    expect(bodies('POST /api/v1/owner/vendor-orders/')[0]).toMatchObject({ offering: 33, slot: null, fulfilment: 'pickup' })
  })

  it('a slot that filled up meanwhile: the server says so, the slot is cleared and the slots reloaded', async () => {
    await ready()
    backend.on('POST /api/v1/owner/vendor-orders/', ok({ code: 'slot_full', message: '该时段已约满。', fields: { slot: ['该时段已约满。'] } }, 409))
    expect(await vendors.submit()).toBeNull()
    await settle()
    expect(vendors.state.errors.slot).toBe('该时段已约满。')
    expect(vendors.state.form.slot).toBeNull()
    expect(backend.called().filter((c) => c === 'GET /api/v1/owner/vendors/7/')).toHaveLength(2)
  })
})

describe('the shared payment step', () => {
  it('hands the order to the device and says where to go next', async () => {
    const device = { requestPayment: vi.fn(async () => undefined), openPaymentPage: vi.fn() }
    expect(await launchPayment(device, paymentOrder(), '/back')).toBe('left')
    expect(device.openPaymentPage).toHaveBeenCalledWith('http://pay.example/h5?prepay_id=1', '/back')
    const jsapi = paymentOrder({ pay_url: null, request_payment: { timeStamp: '1' } as PaymentOrder['request_payment'] })
    expect(await launchPayment(device, jsapi, '/back')).toBe('go')
    device.requestPayment.mockRejectedValueOnce(new PlatformError('cancelled', 'requestPayment:fail cancel'))
    expect(await launchPayment(device, jsapi, '/back')).toBe('cancelled')
  })

  it('follows a service order payment without looking for a bill receipt', async () => {
    const scheduled: Array<() => void> = []
    const watch = createOrderWatch(backend.api, { schedule: (fn) => scheduled.push(fn) })
    backend.on('GET /api/v1/owner/payments/401/', ok(paymentOrder({ status: 'paid', settlement: 'allocated', settled_reference: 'vendor_order:91' })))
    await watch.follow(401)
    expect(watch.state.view).toBe('paid')
    expect(scheduled).toHaveLength(0)
    expect(backend.called().some((c) => c.includes('/bills/history/'))).toBe(false)
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
  it('家政服务 with no vendor says so honestly', async () => {
    backend.on('GET /api/v1/owner/vendors/', ok(page([])))
    const html = await show(ListPage, { kind: 'housekeeping' })
    expect(one(html, 'vendors-empty').text).toContain('您的小区暂未开通家政服务')
    expect(backend.called()).toContain('GET /api/v1/owner/vendors/?kind=housekeeping&page=1')
  })

  it('lists vendors with a call button', async () => {
    backend.on('GET /api/v1/owner/vendors/', ok(page([{ id: 7, name: '好帮手家政', kind: 'housekeeping', contact_name: '王经理', phone: '02188886666' }])))
    const html = await show(ListPage, { kind: 'merchant' })
    expect(byTestId(html, 'vendor').map((v) => v.attr('data-vendor-id'))).toEqual(['7'])
    expect(byTestId(html, 'vendor-call')).toHaveLength(1)
    expect(backend.called()).toContain('GET /api/v1/owner/vendors/?kind=merchant&page=1')
  })

  it('a row shows the cover, address, hours with 营业中 / 已打烊 (none without hours) and the distance', async () => {
    backend.on(
      'GET /api/v1/owner/vendors/',
      ok(
        page([
          listed({
            id: 7,
            name: '街角面包房',
            kind: 'merchant',
            address: '翠湖路 18 号',
            opens_at: '07:30:00',
            closes_at: '21:00:00',
            is_open: true,
            distance_m: 350,
            cover_url: '/api/v1/owner/vendors/7/photos/3/thumbnail/',
          }),
          listed({ id: 8, name: '夜宵烧烤', kind: 'merchant', opens_at: '18:00:00', closes_at: '02:00:00', is_open: false, distance_m: 1234 }),
          listed({ id: 9, name: '便民修鞋', kind: 'merchant', phone: '' }),
        ]),
      ),
    )
    await show(ListPage, { kind: 'merchant' })
    await settle()
    const html = await render(ListPage)
    const rows = byTestId(html, 'vendor')
    expect(rows.map((r) => r.attr('data-vendor-id'))).toEqual(['7', '8', '9'])
    const [bakery, grill, cobbler] = rows
    // A cover is fetched with my token; a vendor without one gets a plain tile, no stand-in picture.
    expect(byTestId(one(bakery.html, 'vendor-cover').html, 'photo')[0].attr('src')).toBe('temp:/api/v1/owner/vendors/7/photos/3/thumbnail/')
    expect(byTestId(grill.html, 'vendor-cover')).toHaveLength(0)
    expect(one(grill.html, 'vendor-no-cover').text).toBe('暂无图片')
    expect(one(bakery.html, 'vendor-address').text).toBe('翠湖路 18 号')
    expect(one(bakery.html, 'vendor-hours').text).toBe('营业时间 07:30–21:00')
    expect(one(grill.html, 'vendor-hours').text).toBe('营业时间 18:00–次日02:00')
    expect(one(bakery.html, 'vendor-open').text).toBe('营业中')
    expect(one(bakery.html, 'vendor-open').attr('data-open')).toBe('true')
    expect(one(grill.html, 'vendor-open').text).toBe('已打烊')
    expect(one(grill.html, 'vendor-open').attr('data-open')).toBe('false')
    expect(byTestId(cobbler.html, 'vendor-open')).toHaveLength(0)
    expect(byTestId(cobbler.html, 'vendor-hours')).toHaveLength(0)
    expect(one(bakery.html, 'vendor-distance').text).toBe('距小区 350 m')
    expect(one(grill.html, 'vendor-distance').text).toBe('距小区 1.2 km')
    expect(byTestId(cobbler.html, 'vendor-distance')).toHaveLength(0)
    expect(byTestId(cobbler.html, 'vendor-call')).toHaveLength(0) // no phone, no button
  })

  it('离我最近 asks the server for sort=distance, from the first page, and 按名称 goes back', async () => {
    backend.on('GET /api/v1/owner/vendors/', ok(page([listed({ distance_m: 420 })])))
    const root = await mounted(ListPage, { kind: 'merchant' })
    expect(findAll(root, 'vendors-sort-name')).toHaveLength(1)
    expect(textOf(findAll(root, 'vendors-sort-distance')[0])).toBe('离我最近')
    tap(root, 'vendors-sort-distance')
    await settle()
    expect(vendors.state.sort).toBe('distance')
    tap(root, 'vendors-sort-name')
    await settle()
    expect(backend.called().filter((c) => c.startsWith('GET /api/v1/owner/vendors/'))).toEqual([
      'GET /api/v1/owner/vendors/?kind=merchant&page=1',
      'GET /api/v1/owner/vendors/?kind=merchant&page=1&sort=distance',
      'GET /api/v1/owner/vendors/?kind=merchant&page=1',
    ])
  })

  it('nearest first over vendors none of which is on the map says why the order did not change', async () => {
    backend.on('GET /api/v1/owner/vendors/', ok(page([listed()])))
    await vendors.sortVendors('distance')
    const html = await show(ListPage, { kind: 'housekeeping' })
    expect(one(html, 'vendors-no-distance').text).toContain('暂时无法按距离排序')
    expect(backend.called()).toContain('GET /api/v1/owner/vendors/?kind=housekeeping&page=1&sort=distance')
  })

  it('the call button dials the vendor’s phone through the platform, without opening the vendor', async () => {
    backend.on('GET /api/v1/owner/vendors/', ok(page([listed({ id: 7, phone: '02188886666' }), listed({ id: 8, name: '好邻居', phone: '13912345678' })])))
    const root = await mounted(ListPage, { kind: 'housekeeping' })
    tap(root, 'vendor-call', 1)
    expect(platform.makePhoneCall).toHaveBeenCalledWith('13912345678')
    expect(platform.navigateTo).not.toHaveBeenCalled()
    tap(root, 'vendor')
    expect(platform.navigateTo).toHaveBeenCalledWith('/pages/vendors/detail?id=7')
  })

  it('the vendor page shows the shop photos, address, hours with its note, distance and intro, and calls', async () => {
    backend.on(
      'GET /api/v1/owner/vendors/7/',
      ok({
        ...VENDOR,
        address: '翠湖路 18 号',
        opens_at: '08:00:00',
        closes_at: '20:00:00',
        hours_note: '周一店休',
        is_open: false,
        distance_m: 1500,
        intro: '十年老店，专注家庭保洁',
        photos: [photo(1), photo(2)],
        offerings: [offering({ photos: [photo(5)] }), offering({ id: 32, name: '深度保洁' })],
      }),
    )
    const root = await mounted(VendorPage, { id: '7' })
    const html = await render(VendorPage)
    expect(byTestId(one(html, 'vendor-gallery').html, 'photo').map((p) => p.attr('src'))).toEqual([
      'temp:/api/v1/owner/vendors/7/photos/1/thumbnail/',
      'temp:/api/v1/owner/vendors/7/photos/2/thumbnail/',
    ])
    expect(one(html, 'vendor-detail-address').text).toContain('翠湖路 18 号')
    expect(one(html, 'vendor-detail-hours').text).toContain('08:00–20:00 · 周一店休')
    expect(one(html, 'vendor-detail-open').text).toBe('已打烊')
    expect(one(html, 'vendor-detail-distance').text).toBe('距小区 1.5 km')
    expect(one(html, 'vendor-detail-intro').text).toContain('十年老店')
    // Each offering shows its own photos (small); one without shows none.
    const offerings = byTestId(html, 'offering')
    expect(byTestId(offerings[0].html, 'photo').map((p) => p.attr('src'))).toEqual(['temp:/api/v1/owner/vendors/7/photos/5/thumbnail/'])
    expect(byTestId(offerings[1].html, 'offering-photos')).toHaveLength(0)

    // Tapping a shop photo opens the viewer on the full-size photos (fetched with my token), at that one.
    tap(root, 'photo', 1)
    await settle()
    expect(downloadImage).toHaveBeenCalledWith(expect.objectContaining({ url: '/api/v1/owner/vendors/7/photos/2/' }))
    expect(platform.previewImages).toHaveBeenCalledWith(
      ['temp:/api/v1/owner/vendors/7/photos/1/', 'temp:/api/v1/owner/vendors/7/photos/2/'],
      'temp:/api/v1/owner/vendors/7/photos/2/',
    )
    // The offerings' photos sit inside them; the booking still picks an offering by a tap on it.
    tap(root, 'offering', 1)
    expect(vendors.state.form.offering).toBe(32)
    tap(root, 'vendor-detail-call')
    expect(platform.makePhoneCall).toHaveBeenCalledWith('02188886666')
  })

  it('a vendor with no photos, hours, location or intro shows none of them', async () => {
    const html = await show(VendorPage, { id: '7' })
    for (const id of ['vendor-gallery', 'vendor-detail-open', 'vendor-detail-hours', 'vendor-detail-distance', 'vendor-detail-intro', 'offering-photos']) {
      expect(byTestId(html, id), id).toHaveLength(0)
    }
    expect(one(html, 'vendor-detail-name').text).toBe('好帮手家政')
  })

  it('the vendor page shows prices, slots by day with full ones disabled, and my houses', async () => {
    let html = await show(VendorPage, { id: '7' })
    expect(byTestId(html, 'offering-price').map((p) => p.text)).toEqual(['¥80.00/次', '上门报价 · ¥200.00起', '¥25.50/瓶'])
    vendors.pickOffering(31)
    html = await render(VendorPage)
    expect(byTestId(html, 'slot-day').map((d) => d.attr('data-day'))).toEqual(['2026-12-05', '2026-12-06'])
    expect(byTestId(html, 'slot').map((s) => s.attr('data-full'))).toEqual(['false', 'true', 'false'])
    expect(byTestId(html, 'slot')[1].text).toContain('已约满')
    expect(byTestId(html, 'booking-house-202')).toHaveLength(1)
    expect(one(html, 'booking-submit').text).toBe('提交并支付')
  })

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
