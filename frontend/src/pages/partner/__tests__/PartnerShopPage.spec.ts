import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { PartnerOffering, PartnerPhoto, PartnerShop } from '@/api/partnerPortal'
import {
  $,
  $$,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import { jsonResponse, type MockCall } from '@/test/http'
import { partnerAccount } from '@/test/partner'

import { mountPortal, TOKEN } from './helpers'

beforeEach(() => {
  vi.stubGlobal(
    'URL',
    Object.assign(URL, {
      createObjectURL: vi.fn(() => 'blob:photo'),
      revokeObjectURL: vi.fn(),
    }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
  document.body.innerHTML = ''
})

const ME = partnerAccount()
const STAFF = { ...ME, role: 'staff', permissions: ['partner.view'] }

const SHOP: PartnerShop = {
  name: '洁净家政',
  address: '幸福路 8 号',
  intro: '',
  opens_at: '09:00:00',
  closes_at: '21:00:00',
  hours_note: '',
  latitude: '31.230416',
  longitude: '121.473701',
  is_open: true,
}

const photo = (over: Partial<PartnerPhoto> = {}): PartnerPhoto => ({
  id: 5,
  offering: null,
  url: '/api/v1/partner/photos/5/image/',
  thumbnail_url: '/api/v1/partner/photos/5/thumbnail/',
  width: 1200,
  height: 900,
  created_at: '2026-12-02T08:00:00+08:00',
  ...over,
})

const OFFERING: PartnerOffering = {
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
}

const image = () => new Response(new Blob(['jpeg']), { headers: { 'Content-Type': 'image/jpeg' } })

type Routes = Parameters<typeof fakeApi>[0]

/** The vendor's shop and photos: one shop photo (5) and one of offering 41 (6). */
function backend(over: Routes = {}, me: object = ME) {
  let nextId = 10
  return fakeApi({
    'GET /api/v1/partner/me/': () => jsonResponse(me),
    'GET /api/v1/partner/shop/': () => jsonResponse(SHOP),
    'PATCH /api/v1/partner/shop/': (call) => jsonResponse({ ...SHOP, ...bodyOf(call) }),
    'GET /api/v1/partner/photos/': (_call, query) =>
      jsonResponse(
        query.get('offering') === '41'
          ? [photo({ id: 6, offering: 41 })]
          : [photo(), photo({ id: 6, offering: 41 })],
      ),
    'POST /api/v1/partner/photos/': (call) => {
      const form = call.body as FormData
      const offering = form.get('offering')
      return jsonResponse(
        photo({ id: nextId++, offering: offering ? Number(offering) : null }),
        201,
      )
    },
    'DELETE /api/v1/partner/photos/5/': () => jsonResponse(null, 204),
    'GET /api/v1/partner/photos/5/thumbnail/': image,
    'GET /api/v1/partner/photos/5/image/': image,
    'GET /api/v1/partner/photos/6/thumbnail/': image,
    'GET /api/v1/partner/admissions/': () =>
      jsonResponse({ count: 0, next: null, previous: null, results: [] }),
    'GET /api/v1/partner/offerings/': () => jsonResponse([OFFERING]),
    ...over,
  })
}

/** Set an Element Plus picker's value (its data-testid may stay among its attrs). */
async function pick(wrapper: VueWrapper, name: string, testid: string, value: unknown) {
  const found = wrapper
    .findAllComponents({ name })
    .find((c) => (c.attributes('data-testid') ?? c.vm.$attrs['data-testid']) === testid)
  if (!found) throw new Error(`no ${name} ${testid}`)
  found.vm.$emit('update:modelValue', value)
  await flushPromises()
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

/** Pick files in a photo grid's hidden file input. */
async function choose(testid: string, files: File[]) {
  const input = $(testid) as HTMLInputElement
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

/** The error under the form item labelled `label` (the time pickers keep no testid on the page). */
function errorUnder(label: string): string | null {
  const item = $$('.el-form-item').find(
    (el) => el.querySelector('.el-form-item__label')?.textContent?.trim() === label,
  )
  if (!item) throw new Error(`no form item ${label}`)
  return item.querySelector('.el-form-item__error')?.textContent?.trim() ?? null
}

const jpeg = (name = 'a.jpg') => new File(['x'], name, { type: 'image/jpeg' })
const patches = (all: MockCall[]) => calls(all, 'PATCH', '/api/v1/partner/shop/').map(bodyOf)
const save = async () => {
  await click('partner-shop-save')
  await settle()
}

describe('店铺资料', () => {
  it('is in the portal nav, and shows the shop as saved with whether it is open now', async () => {
    backend()
    await mountPortal('/partner/shop')
    expect($('partner-nav-partner-shop')?.textContent).toContain('店铺资料')
    expect($('partner-shop-name')?.textContent).toBe('洁净家政')
    expect($('partner-shop-open')?.textContent).toContain('营业中')
    expect(($('partner-shop-address') as HTMLInputElement).value).toBe('幸福路 8 号')
    expect($('partner-shop-latitude')?.querySelector('input')?.value).toBe('31.230416')
    expect($('partner-shop-coordinates-hint')?.textContent).toContain('国测局坐标系')
    // Nothing edited, nothing to save.
    expect($('partner-shop-save')?.hasAttribute('disabled')).toBe(true)
  })

  it('sends only what was edited: the hours as a pair, the location as a pair', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/shop')

    await type('partner-shop-address', ' 幸福路 10 号 ')
    await type('partner-shop-hours-note', '周一店休')
    await save()
    expect(patches(all)).toEqual([{ address: '幸福路 10 号', hours_note: '周一店休' }])

    // Only the closing time changed: both go; earlier than opening runs past midnight.
    await pick(wrapper, 'ElTimePicker', 'partner-shop-closes', '02:00')
    expect($('partner-shop-hours-hint')?.textContent).toContain('营业到次日凌晨')
    await save()
    expect(patches(all)[1]).toEqual({ opens_at: '09:00', closes_at: '02:00' })

    // Only the longitude changed: both go, as the decimals the server keeps.
    await typeNumber('partner-shop-longitude', 121.5)
    await save()
    expect(patches(all)[2]).toEqual({ latitude: '31.230416', longitude: '121.500000' })
    expect(calls(all, 'PATCH', '/api/v1/partner/shop/')[0]!.headers.Authorization).toBe(
      `Bearer ${TOKEN}`,
    )
  })

  it('clears the hours together, and refuses one time without the other', async () => {
    const all = backend()
    const { wrapper } = await mountPortal('/partner/shop')
    await pick(wrapper, 'ElTimePicker', 'partner-shop-opens', null)
    await save()
    expect(errorUnder('开门时间')).toBe('开门和打烊时间须同时填写或同时留空')
    expect(errorUnder('打烊时间')).toBeNull()
    expect(patches(all)).toHaveLength(0)

    await pick(wrapper, 'ElTimePicker', 'partner-shop-closes', null)
    await save()
    expect(patches(all)).toEqual([{ opens_at: null, closes_at: null }])
  })

  it('shows the server’s field errors under their fields', async () => {
    const hours = '营业结束时间不能与开始时间相同；全天营业请填 00:00 至 23:59。'
    const place = '纬度须在 -90 到 90 之间。'
    const all = backend({
      'PATCH /api/v1/partner/shop/': (call) =>
        'latitude' in bodyOf(call)
          ? jsonResponse({ code: 'invalid', message: place, fields: { latitude: [place] } }, 400)
          : jsonResponse({ code: 'invalid', message: hours, fields: { closes_at: [hours] } }, 400),
    })
    const { wrapper } = await mountPortal('/partner/shop')
    await pick(wrapper, 'ElTimePicker', 'partner-shop-closes', '09:00')
    await save()
    expect(patches(all)).toEqual([{ opens_at: '09:00', closes_at: '09:00' }])
    expect(errorUnder('打烊时间')).toBe(hours)
    expect($('partner-shop-error')).toBeNull()

    await pick(wrapper, 'ElTimePicker', 'partner-shop-closes', '21:00')
    await typeNumber('partner-shop-latitude', 30)
    await save()
    expect(patches(all)[1]).toEqual({ latitude: '30.000000', longitude: '121.473701' })
    expect(fieldError('partner-shop-latitude')).toBe(place)
    expect(errorUnder('打烊时间')).toBeNull()
  })

  it('shows the shop photos (not the offerings’) with the vendor’s token, and uploads more', async () => {
    const all = backend()
    await mountPortal('/partner/shop')
    expect($('partner-shop-photos-photo-5')).not.toBeNull()
    expect($('partner-shop-photos-photo-6')).toBeNull()
    const thumbnail = calls(all, 'GET', '/api/v1/partner/photos/5/thumbnail/')
    expect(thumbnail).toHaveLength(1)
    expect(thumbnail[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    expect($('partner-shop-photos-photo-5')?.querySelector('img')?.getAttribute('src')).toBe(
      'blob:photo',
    )
    expect($('partner-shop-photos-add')?.textContent).toContain('1/9')

    await choose('partner-shop-photos-input', [
      jpeg(),
      new File(['x'], 'b.gif', { type: 'image/gif' }),
    ])
    const posts = calls(all, 'POST', '/api/v1/partner/photos/')
    expect(posts).toHaveLength(1)
    const form = posts[0]!.body as FormData
    expect(form.get('file')).toBeInstanceOf(File)
    expect(form.has('offering')).toBe(false)
    expect(posts[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`)
    expect($('partner-shop-photos-photo-10')).not.toBeNull()
    expect($('partner-shop-photos-error')?.textContent).toContain('b.gif')
  })

  it('says why an upload was refused at the limit', async () => {
    backend({
      'POST /api/v1/partner/photos/': () =>
        jsonResponse(
          { code: 'too_many_photos', message: '最多 9 张照片，请先删除不用的照片。', fields: {} },
          400,
        ),
    })
    await mountPortal('/partner/shop')
    await choose('partner-shop-photos-input', [jpeg()])
    expect($('partner-shop-photos-error')?.textContent).toContain('最多 9 张照片')
  })

  it('asks before deleting a photo', async () => {
    const all = backend()
    await mountPortal('/partner/shop')
    await click('partner-shop-photos-remove-5')
    expect(calls(all, 'DELETE', '/api/v1/partner/photos/5/')).toHaveLength(0)
    expect(document.body.textContent).toContain('删除这张照片？')
    await click('partner-shop-photos-remove-5-cancel')
    expect(calls(all, 'DELETE', '/api/v1/partner/photos/5/')).toHaveLength(0)

    await click('partner-shop-photos-remove-5')
    await click('partner-shop-photos-remove-5-confirm')
    expect(calls(all, 'DELETE', '/api/v1/partner/photos/5/')).toHaveLength(1)
    expect($('partner-shop-photos-photo-5')).toBeNull()
    expect($('partner-shop-photos-empty')?.textContent).toContain('还没有店铺照片')
  })

  it('opens a photo full size', async () => {
    const all = backend()
    await mountPortal('/partner/shop')
    await click('partner-shop-photos-open-5')
    expect(calls(all, 'GET', '/api/v1/partner/photos/5/image/')).toHaveLength(1)
    expect($('partner-shop-photos-viewer')?.querySelector('img')).not.toBeNull()
  })

  it('is read-only for a staff account', async () => {
    const all = backend({ 'GET /api/v1/partner/photos/': () => jsonResponse([]) }, STAFF)
    await mountPortal('/partner/shop')
    expect($('partner-shop-read-only')?.textContent).toContain('只有负责人可以修改')
    expect($('partner-shop-save')).toBeNull()
    expect(($('partner-shop-address') as HTMLInputElement).disabled).toBe(true)
    expect($('partner-shop-latitude')?.querySelector('input')?.disabled).toBe(true)
    expect($('partner-shop-photos-add')).toBeNull()
    expect($('partner-shop-photos-input')).toBeNull()
    expect($('partner-shop-photos-empty')?.textContent).toBe('还没有店铺照片。')
    expect(patches(all)).toHaveLength(0)
  })

  it('says so when the shop has no hours', async () => {
    backend({
      'GET /api/v1/partner/shop/': () =>
        jsonResponse({ ...SHOP, opens_at: null, closes_at: null, is_open: null }),
    })
    await mountPortal('/partner/shop')
    expect($('partner-shop-open')?.textContent).toContain('未设置营业时间')
  })
})

describe('服务照片', () => {
  it('manages an offering’s photos from the catalogue, sent with its id', async () => {
    const all = backend()
    await mountPortal('/partner/offerings')
    await click('partner-offering-photos-41')
    const listed = calls(all, 'GET', '/api/v1/partner/photos/')
    expect(new URL(listed.at(-1)!.url, 'http://x').searchParams.get('offering')).toBe('41')
    expect($('partner-offering-photo-grid-photo-6')).not.toBeNull()

    await choose('partner-offering-photo-grid-input', [jpeg()])
    const form = calls(all, 'POST', '/api/v1/partner/photos/')[0]!.body as FormData
    expect(form.get('offering')).toBe('41')
    expect($('partner-offering-photo-grid-photo-10')).not.toBeNull()
  })

  it('shows them to a staff account without upload or delete', async () => {
    backend({}, STAFF)
    await mountPortal('/partner/offerings')
    expect($('partner-offering-edit-41')).toBeNull()
    await click('partner-offering-photos-41')
    expect($('partner-offering-photo-grid-photo-6')).not.toBeNull()
    expect($('partner-offering-photo-grid-add')).toBeNull()
    expect($('partner-offering-photo-grid-remove-6')).toBeNull()
  })
})
