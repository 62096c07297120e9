/**
 * 家政服务 and 周边商家 over a scripted backend: prices, slots grouped by day (full ones disabled),
 * and the pages — a shop's cover, hours with 营业中 / 已打烊, its distance from my estate, nearest
 * first, its photos, and the call button. Booking and paying are in vendor-booking.test.ts, my
 * service orders in vendor-orders.test.ts; the fixtures they share in support/vendors.ts.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { findAll, tap, textOf } from './support/mount'
import { backend, downloadImage, vendors } from './support/fake-session'
import { listed, mounted, offering, ok, page, resetVendors, show, VENDOR } from './support/vendors'
import { platform } from '@/platform'
import { setLocale } from '@/i18n'
import { featureUrl } from '@/config/features'
import { vendorOrderUrl } from '@/config/routes'
import { groupSlots, priceText } from '@/stores/vendors'
import { distanceText, hoursText, openTag } from '@/stores/vendorShop'

vi.mock('@dcloudio/uni-app', () => import('./support/vendors'))
vi.mock('@/platform', () => import('./support/vendors'))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const ListPage = (await import('@/pages/vendors/list.vue')).default
const VendorPage = (await import('@/pages/vendors/detail.vue')).default

const photo = (id: number) => ({
  id,
  url: `/api/v1/owner/vendors/7/photos/${id}/`,
  thumbnail_url: `/api/v1/owner/vendors/7/photos/${id}/thumbnail/`,
})

beforeEach(resetVendors)

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
})
