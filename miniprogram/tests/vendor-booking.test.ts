/**
 * Booking a vendor's offering over a scripted backend: the booking form (one idempotency key per
 * submit, kept across a retry of the same form), paying an unpaid order at once through the shared
 * payment step (purpose vendor_orders), quoted offerings and goods, and following that payment.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { settle } from './support/render'
import { backend, vendors } from './support/fake-session'
import { bodies, ok, order, paymentOrder, resetVendors, slot, VENDOR } from './support/vendors'
import { createOrderWatch } from '@/stores/pay'
import { launchPayment } from '@/stores/checkout'
import { PlatformError } from '@/platform/types'
import type { PaymentOrder } from '@/api/types'

beforeEach(resetVendors)

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
