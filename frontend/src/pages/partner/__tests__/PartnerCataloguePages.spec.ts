import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PartnerAdmission, PartnerOffering, PartnerSlot } from '@/api/partnerPortal'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  page,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
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
  role: 'manager',
  permissions: ['partner.manage', 'partner.view'],
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
const STAFF = { ...ME, role: 'staff', permissions: ['partner.view'] }

const ADMISSIONS: PartnerAdmission[] = [
  {
    id: 31,
    company: 'alpha',
    company_name: '阿尔法物业',
    status: 'approved',
    commission_rate: '0.0500',
    estates_count: 2,
    note: '',
    updated_at: '2026-12-02T08:00:00+08:00',
  },
  {
    id: 32,
    company: 'beta',
    company_name: '贝塔物业',
    status: 'invited',
    commission_rate: '0.0000',
    estates_count: 0,
    note: '',
    updated_at: '2026-12-02T08:00:00+08:00',
  },
]

const offering = (over: Partial<PartnerOffering> = {}): PartnerOffering => ({
  id: 41,
  company: null,
  kind: 'service',
  name: '日常保洁',
  description: '',
  price_mode: 'fixed',
  price: '120.00',
  unit: '次',
  duration_minutes: null,
  is_active: true,
  updated_at: '2026-12-02T08:00:00+08:00',
  ...over,
})

const slot = (over: Partial<PartnerSlot> = {}): PartnerSlot => ({
  id: 51,
  company: null,
  starts_at: '2026-12-10T09:00:00+08:00',
  ends_at: '2026-12-10T11:00:00+08:00',
  capacity: 3,
  held: 2,
  is_open: true,
  ...over,
})

/** Set an Element Plus picker's value (the date picker keeps its data-testid among its attrs). */
function pick(wrapper: VueWrapper, name: string, testid: string, value: unknown) {
  const found = wrapper
    .findAllComponents({ name })
    .find((c) => (c.attributes('data-testid') ?? c.vm.$attrs['data-testid']) === testid)
  if (!found) throw new Error(`no ${name} ${testid}`)
  found.vm.$emit('update:modelValue', value)
}

/** Type a number into an el-input-number (its data-testid is on its root). */
async function typeNumber(testid: string, value: number) {
  const input = $(testid)?.querySelector('input')
  if (!input) throw new Error(`no number input ${testid}`)
  input.value = String(value)
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

describe('服务目录', () => {
  function backend(me = ME) {
    return fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(me),
      'GET /api/v1/partner/admissions/': () => page(ADMISSIONS),
      'GET /api/v1/partner/offerings/': () =>
        jsonResponse([
          offering(),
          offering({
            id: 42,
            company: 'alpha',
            kind: 'goods',
            name: '桶装水',
            price: '18.50',
            unit: '桶',
            is_active: false,
          }),
          offering({ id: 43, name: '家电清洗', price_mode: 'quoted', price: '0.00', unit: '' }),
        ]),
      'POST /api/v1/partner/offerings/': (call) =>
        jsonResponse(offering({ id: 44, ...(bodyOf(call) as Partial<PartnerOffering>) }), 201),
      'PATCH /api/v1/partner/offerings/41/': (call) =>
        jsonResponse(offering(bodyOf(call) as Partial<PartnerOffering>)),
      'PATCH /api/v1/partner/offerings/42/': (call) =>
        jsonResponse(offering({ id: 42, ...(bodyOf(call) as Partial<PartnerOffering>) })),
    })
  }

  it('is in the portal nav, and lists each offering with kind, pricing, price and company', async () => {
    backend()
    await mountPortal('/partner/offerings')
    expect($('partner-nav-partner-offerings')?.textContent).toContain('服务目录')
    expect($('partner-offering-name-41')?.textContent).toBe('日常保洁')
    expect($('partner-offering-price-41')?.textContent).toBe('¥120.00')
    expect($('partner-offering-price-43')?.textContent).toBe('上门报价')
    expect($('partner-offering-company-41')?.textContent).toBe('全部合作物业')
    expect($('partner-offering-company-42')?.textContent).toBe('阿尔法物业')
    const text = $('partner-offerings')!.textContent!
    expect(text).toContain('商品')
    expect(text).toContain('一口价')
  })

  it('adds an offering for one admitted company, its price sent as a decimal string', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/offerings')
    await click('partner-offering-add')
    await click('partner-offering-form-submit')
    await settle()
    expect(fieldError('partner-offering-name')).toBe('请填写名称')
    expect(fieldError('partner-offering-price')).toBe('请填写金额，最多两位小数')

    await type('partner-offering-name', ' 深度保洁 ')
    await type('partner-offering-price', '0')
    await click('partner-offering-form-submit')
    await settle()
    expect(fieldError('partner-offering-price')).toBe('一口价须大于 0')
    expect(calls(all, 'POST', '/api/v1/partner/offerings/')).toHaveLength(0)

    await type('partner-offering-price', '199.9')
    await type('partner-offering-unit', '次')
    pick(wrapper, 'ElSelect', 'partner-offering-company', 'alpha')
    await click('partner-offering-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner/offerings/')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    expect(bodyOf(sent[0]!)).toEqual({
      company: 'alpha',
      kind: 'service',
      name: '深度保洁',
      description: '',
      price_mode: 'fixed',
      price: '199.90',
      unit: '次',
      is_active: true,
    })
    // Only approved admissions are offered.
    const options = [...document.body.querySelectorAll('.el-select-dropdown__item')].map(
      (o) => o.textContent,
    )
    expect(options).toContain('阿尔法物业')
    expect(options).not.toContain('贝塔物业')
  })

  it('for every company by default; a quoted price may be 0', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/offerings')
    await click('partner-offering-add')
    await type('partner-offering-name', '家电清洗')
    pick(wrapper, 'ElRadioGroup', 'partner-offering-price-mode', 'quoted')
    await type('partner-offering-price', '0')
    await click('partner-offering-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/offerings/')[0]!)).toMatchObject({
      company: null,
      price_mode: 'quoted',
      price: '0.00',
    })
  })

  it('edits one (the company stays as it was) and takes one off sale', async () => {
    const all = backend()
    await mountPortal('/partner/offerings')
    await click('partner-offering-edit-41')
    expect(($('partner-offering-name') as HTMLInputElement).value).toBe('日常保洁')
    expect(($('partner-offering-price') as HTMLInputElement).value).toBe('120.00')
    await type('partner-offering-price', '130')
    await click('partner-offering-form-submit')
    const patched = calls(all, 'PATCH', '/api/v1/partner/offerings/41/')
    expect(patched).toHaveLength(1)
    const body = bodyOf(patched[0]!)
    expect(body.price).toBe('130.00')
    expect(body).not.toHaveProperty('company')

    await click('partner-offering-active-41')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/offerings/41/')[1]!)).toEqual({
      is_active: false,
    })
    await click('partner-offering-active-42')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/offerings/42/')[0]!)).toEqual({
      is_active: true,
    })
  })

  it('says so when there is nothing yet, and a staff account only reads', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(STAFF),
      'GET /api/v1/partner/admissions/': () => page([]),
      'GET /api/v1/partner/offerings/': () => jsonResponse([]),
    })
    await mountPortal('/partner/offerings')
    expect($('partner-offerings')?.textContent).toContain('还没有服务项目')
    expect($('partner-offering-add')).toBeNull()
  })
})

describe('服务时段', () => {
  function backend() {
    return fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page(ADMISSIONS),
      'GET /api/v1/partner/slots/': () =>
        jsonResponse([
          slot({
            id: 53,
            starts_at: '2026-12-11T14:00:00+08:00',
            ends_at: '2026-12-11T16:00:00+08:00',
            held: 0,
            is_open: false,
          }),
          slot(),
          slot({
            id: 52,
            starts_at: '2026-12-10T14:00:00+08:00',
            ends_at: '2026-12-10T16:00:00+08:00',
            company: 'alpha',
          }),
        ]),
      'POST /api/v1/partner/slots/': () => jsonResponse([slot({ id: 60 }), slot({ id: 61 })], 201),
      'PATCH /api/v1/partner/slots/51/': (call) => {
        const body = bodyOf(call)
        if (typeof body.capacity === 'number' && body.capacity < 2)
          return jsonResponse(
            {
              code: 'invalid',
              message: '已有 2 个预约，可约数量不能少于此数。',
              fields: { capacity: ['已有 2 个预约，可约数量不能少于此数。'] },
            },
            400,
          )
        return jsonResponse(slot(body as Partial<PartnerSlot>))
      },
      'PATCH /api/v1/partner/slots/53/': (call) =>
        jsonResponse(slot({ id: 53, ...(bodyOf(call) as Partial<PartnerSlot>) })),
    })
  }

  it('lists the slots by day with the places taken of the capacity', async () => {
    backend()
    await mountPortal('/partner/slots')
    const rows = [...document.body.querySelectorAll('[data-testid^="partner-slot-hours-"]')]
    expect(rows.map((r) => r.textContent)).toEqual(['09:00–11:00', '14:00–16:00', '14:00–16:00'])
    expect($('partner-slot-day-51')?.textContent).toBe('2026-12-10')
    expect($('partner-slot-day-52')).toBeNull() // same day as the one above
    expect($('partner-slot-day-53')?.textContent).toBe('2026-12-11')
    expect($('partner-slot-held-51')?.textContent).toBe('2 / 3')
    expect($('partner-slot-state-53')?.textContent).toContain('已关闭')
    expect($('partner-slots')?.textContent).toContain('阿尔法物业')
  })

  it('adds the same hours for several days, in Shanghai time', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/slots')
    await click('partner-slot-add')
    await click('partner-slot-form-submit')
    await settle()
    expect($('partner-slot-form')?.textContent).toContain('请选择日期')
    expect(calls(all, 'POST', '/api/v1/partner/slots/')).toHaveLength(0)

    pick(wrapper, 'ElDatePicker', 'partner-slot-date', '2026-12-20')
    pick(wrapper, 'ElTimeSelect', 'partner-slot-start', '08:30')
    pick(wrapper, 'ElTimeSelect', 'partner-slot-end', '10:30')
    await typeNumber('partner-slot-capacity', 4)
    await typeNumber('partner-slot-repeat', 7)
    await click('partner-slot-form-submit')
    const sent = calls(all, 'POST', '/api/v1/partner/slots/')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    expect(bodyOf(sent[0]!)).toEqual({
      starts_at: '2026-12-20T08:30:00+08:00',
      ends_at: '2026-12-20T10:30:00+08:00',
      capacity: 4,
      repeat_days: 7,
      company: null,
    })
    expect(calls(all, 'GET', '/api/v1/partner/slots/')).toHaveLength(2)
  })

  it('a slot that ends before it starts ends the next day', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/slots')
    await click('partner-slot-add')
    pick(wrapper, 'ElDatePicker', 'partner-slot-date', '2026-12-31')
    pick(wrapper, 'ElTimeSelect', 'partner-slot-start', '22:00')
    pick(wrapper, 'ElTimeSelect', 'partner-slot-end', '02:00')
    pick(wrapper, 'ElSelect', 'partner-slot-company', 'alpha')
    await settle()
    expect(document.body.textContent).toContain('时段跨天')
    await click('partner-slot-form-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/slots/')[0]!)).toMatchObject({
      starts_at: '2026-12-31T22:00:00+08:00',
      ends_at: '2027-01-01T02:00:00+08:00',
      company: 'alpha',
    })
  })

  it('closes and reopens a slot', async () => {
    const all = backend()
    await mountPortal('/partner/slots')
    await click('partner-slot-close-51')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/slots/51/')[0]!)).toEqual({
      is_open: false,
    })
    await click('partner-slot-reopen-53')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/slots/53/')[0]!)).toEqual({
      is_open: true,
    })
  })

  it('changes the capacity; below the places taken, the server’s field error shows', async () => {
    const all = backend()
    await mountPortal('/partner/slots')
    await click('partner-slot-capacity-51')
    await typeNumber('partner-slot-capacity-input', 1)
    await click('partner-slot-capacity-form-submit')
    await settle()
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/slots/51/')[0]!)).toEqual({ capacity: 1 })
    expect(fieldError('partner-slot-capacity-input')).toBe('已有 2 个预约，可约数量不能少于此数。')

    await typeNumber('partner-slot-capacity-input', 5)
    await click('partner-slot-capacity-form-submit')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/partner/slots/51/')[1]!)).toEqual({ capacity: 5 })
  })

  it('says so when there are no slots', async () => {
    fakeApi({
      'GET /api/v1/partner/me/': () => jsonResponse(ME),
      'GET /api/v1/partner/admissions/': () => page([]),
      'GET /api/v1/partner/slots/': () => jsonResponse([]),
    })
    await mountPortal('/partner/slots')
    expect($('partner-slots')?.textContent).toContain('今天以后还没有时段')
  })
})
