/**
 * 报修 for owners over a scripted backend: filing (category two levels, the place the category asks
 * for, urgency, visit time, the server's field errors), my repairs, the detail's timeline, cancel,
 * confirm-and-rate and reopen offered only when the server lists them.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, downloadImage, photoSource, repairs, resetSession } from './support/fake-session'
import { HOUSES } from './support/fake-api'
import { photoRow, scriptPhotoUploads } from './support/photo-uploads'
import { platform } from '@/platform'
import { setLocale, t } from '@/i18n'
import { featureUrl } from '@/config/features'
import { PlatformError } from '@/platform/types'

const hooks = vi.hoisted(() => ({ onShow: [] as Array<() => unknown>, onLoad: [] as Array<(q: object) => unknown> }))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: (fn: (q: object) => unknown) => hooks.onLoad.push(fn),
  onPullDownRefresh: () => undefined,
  onReachBottom: () => undefined,
}))
vi.mock('@/platform', () => ({
  platform: {
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    toast: vi.fn(),
    confirm: vi.fn(async () => true),
    stopPullDownRefresh: vi.fn(),
  },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const ListPage = (await import('@/pages/repairs/repairs.vue')).default
const FilePage = (await import('@/pages/repairs/file.vue')).default
const DetailPage = (await import('@/pages/repairs/detail.vue')).default

async function show(page: Parameters<typeof render>[0], query: object = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

const category = (id: number, name: string, parent: number | null, scope = 'in_house') => ({
  id,
  parent,
  name,
  path: name,
  default_urgency: 'normal',
  sla_hours: {},
  is_paid: false,
  dispatch_mode: 'assign',
  scope,
  is_active: true,
  sort_order: 0,
})
const CATEGORIES = [category(1, '水电', null), category(2, '管道漏水', 1), category(3, '公共照明', null, 'public')]

const ORDER = {
  id: 9,
  number: 'R20261203-0001',
  status: 'submitted',
  category: 2,
  category_name: '水电 › 管道漏水',
  urgency: 'normal',
  description: '厨房水管漏水',
  house: 101,
  house_label: '1栋1单元101',
  estate: 1,
  estate_name: '翠湖花园',
  location: '',
  preferred_visit_at: null,
  contact_name: '林业主',
  worker: null,
  worker_name: null,
  due_at: null,
  overdue: false,
  completed_at: null,
  rating: null,
  rating_tags: [] as string[],
  materials: '',
  fee: null as string | null,
  charge: null as null | Record<string, unknown>,
  created_at: '2026-12-03T02:00:00Z',
  actions: ['cancel'],
  timeline: [
    { id: 1, transition: 'file', from_status: '', to_status: 'submitted', actor_name: '林业主', worker_name: null, note: '', at: '2026-12-03T02:00:00Z' },
  ],
}
const ok = (data: unknown, status = 200) => ({ status, data })

beforeEach(() => {
  resetSession()
  setLocale('zh-CN')
  vi.mocked(platform.redirectTo).mockClear()
})

describe('the 报修 tile', () => {
  it('opens the repairs page', () => {
    expect(featureUrl('repairs')).toBe('/pages/repairs/repairs')
  })
})

describe('filing a repair', () => {
  function scripted() {
    backend.on('GET /api/v1/owner/repair-categories/', ok(CATEGORIES))
    backend.on('GET /api/v1/owner/houses/', ok(HOUSES.slice(0, 1)))
    backend.on('GET /api/v1/owner/estates/', ok([{ id: 1, name: HOUSES[0].estate_name }, { id: 2, name: '别人的小区' }]))
    let sent: Record<string, unknown> | null = null
    backend.on('POST /api/v1/owner/repairs/', (o) => {
      sent = o.data as Record<string, unknown>
      return ok(ORDER, 201)
    })
    return () => sent
  }

  it('asks for the child category, then files for my only house with the visit time', async () => {
    const sent = scripted()
    let html = await show(FilePage)
    expect(byTestId(html, 'repair-top-1')).toHaveLength(1)
    expect(byTestId(html, 'repair-house-101')).toHaveLength(1)
    repairs.pickTop(1)
    html = await render(FilePage)
    expect(byTestId(html, 'repair-child-2')).toHaveLength(1)
    expect(await repairs.submit()).toBeNull() // no child picked, no description
    expect(repairs.state.errors).toMatchObject({ category: t('repairs.errors.category'), description: t('repairs.errors.description') })

    repairs.pickCategory(2)
    repairs.state.form.description = ' 厨房水管漏水 '
    repairs.state.form.urgency = 'urgent'
    repairs.state.form.visitDate = '2026-12-04'
    repairs.state.form.visitTime = '09:30'
    const order = await repairs.submit()
    expect(order?.id).toBe(9)
    expect(sent()).toEqual({
      category: 2,
      description: '厨房水管漏水',
      urgency: 'urgent',
      house: 101,
      preferred_visit_at: '2026-12-04T09:30:00+08:00',
    })
  })

  it('a public-area category asks for my estate and a location instead of a house', async () => {
    const sent = scripted()
    await show(FilePage)
    repairs.pickTop(3)
    const html = await render(FilePage)
    expect(byTestId(html, 'repair-location')).toHaveLength(1)
    expect(byTestId(html, 'repair-estate-1')).toHaveLength(1)
    expect(byTestId(html, 'repair-estate-2')).toHaveLength(0) // not an estate of mine
    repairs.state.form.description = '路灯不亮'
    expect(await repairs.submit()).toBeNull()
    expect(repairs.state.errors.location).toBe(t('repairs.errors.location'))
    repairs.state.form.location = '3栋门口'
    await repairs.submit()
    expect(sent()).toMatchObject({ category: 3, estate: 1, location: '3栋门口', preferred_visit_at: null })
    expect(sent()).not.toHaveProperty('house')
  })

  it('shows the server’s field errors under their fields', async () => {
    scripted()
    backend.on('POST /api/v1/owner/repairs/', ok({ code: 'invalid', message: '只能为自己的房屋报修。', fields: { house: ['只能为自己的房屋报修。'] } }, 400))
    await show(FilePage)
    repairs.pickTop(1)
    repairs.pickCategory(2)
    repairs.state.form.description = '漏水'
    expect(await repairs.submit()).toBeNull()
    const html = await render(FilePage)
    expect(one(html, 'repair-house-error').text).toContain('只能为自己的房屋报修')
  })
})

const photo = (id: number, kind = '', entry: number | null = null) =>
  photoRow('/api/v1/owner/repair-photos/', id, { kind, entry, uploaded_by_name: '林业主' })

describe('photos when filing', () => {
  function scripted() {
    backend.on('GET /api/v1/owner/repair-categories/', ok(CATEGORIES))
    backend.on('GET /api/v1/owner/houses/', ok(HOUSES.slice(0, 1)))
    backend.on('GET /api/v1/owner/estates/', ok([{ id: 1, name: HOUSES[0].estate_name }]))
    const uploads = scriptPhotoUploads('/api/v1/owner/repair-photos/', 40, (id) => photo(id))
    let sent: Record<string, unknown> | null = null
    backend.on('POST /api/v1/owner/repairs/', (o) => {
      sent = o.data as Record<string, unknown>
      return ok(ORDER, 201)
    })
    return { uploads, sent: () => sent }
  }

  it('uploads each picked photo with the owner’s token, shows it, and files the ones not removed', async () => {
    const { uploads, sent } = scripted()
    await show(FilePage)
    photoSource.chooseImages.mockResolvedValueOnce(['blob:a', 'blob:b', 'blob:c'])
    await repairs.addPhotos()
    expect(photoSource.chooseImages).toHaveBeenCalledWith(9)
    expect(uploads.map((u) => u.data)).toEqual([{ file: 'blob:a' }, { file: 'blob:b' }, { file: 'blob:c' }])
    expect(uploads.every((u) => u.auth === 'Bearer owner-token')).toBe(true)
    let html = await render(FilePage)
    expect(byTestId(html, 'repair-photo')).toHaveLength(3)
    expect(one(html, 'repair-photo-add').text).toContain('3/9')
    repairs.removePhoto(42)
    html = await render(FilePage)
    expect(byTestId(html, 'repair-photo')).toHaveLength(2)

    photoSource.chooseImages.mockResolvedValueOnce(['blob:d'])
    await repairs.addPhotos()
    expect(photoSource.chooseImages).toHaveBeenLastCalledWith(7) // 9 less the 2 kept
    repairs.pickTop(1)
    repairs.pickCategory(2)
    repairs.state.form.description = '漏水'
    await repairs.submit()
    expect(sent()).toMatchObject({ category: 2, house: 101, photos: [41, 43, 44] })
  })

  it('names a photo the server refuses, keeps the others, and takes no more than 9', async () => {
    const { uploads } = scripted()
    await show(FilePage)
    photoSource.chooseImages.mockResolvedValueOnce(['blob:a', 'blob:bad.heic'])
    await repairs.addPhotos()
    let html = await render(FilePage)
    expect(byTestId(html, 'repair-photo')).toHaveLength(1)
    expect(one(html, 'repair-photos-error').text).toContain('只支持 JPEG、PNG、WebP 图片')

    photoSource.chooseImages.mockResolvedValueOnce(Array.from({ length: 12 }, (_, i) => `blob:${i}`))
    await repairs.addPhotos()
    expect(uploads).toHaveLength(2 + 8) // the picker asked for 8; the extra ones are dropped
    html = await render(FilePage)
    expect(byTestId(html, 'repair-photo')).toHaveLength(9)
    expect(byTestId(html, 'repair-photo-add')).toHaveLength(0)
    await repairs.addPhotos()
    expect(photoSource.chooseImages).toHaveBeenCalledTimes(2) // full: the picker is not opened
  })

  it('backing out of the picker is not an error', async () => {
    scripted()
    await show(FilePage)
    photoSource.chooseImages.mockRejectedValueOnce(new PlatformError('cancelled', 'chooseImage:fail cancel'))
    await repairs.addPhotos()
    expect(repairs.state.errors.photos).toBeUndefined()
  })
})

describe('photos of a repair', () => {
  it('shows the problem’s photos on the order and each step’s under it, fetched with the token', async () => {
    backend.on('GET /api/v1/owner/repairs/9/', ok({
      ...ORDER,
      status: 'completed',
      photos: [photo(41, 'problem', 1), photo(50, 'result', 2)],
      timeline: [
        { ...ORDER.timeline[0], photos: [photo(41, 'problem', 1)] },
        { ...ORDER.timeline[0], id: 2, transition: 'complete', to_status: 'completed', photos: [photo(50, 'result', 2)] },
      ],
    }))
    await show(DetailPage, { id: '9' })
    await settle()
    const html = await render(DetailPage)
    const top = one(html, 'repair-detail-photos')
    expect(byTestId(top.html, 'photo').map((p) => p.attr('src'))).toEqual(['temp:/api/v1/owner/repair-photos/41/thumbnail/'])
    const steps = byTestId(html, 'repair-step-photos')
    expect(steps).toHaveLength(1) // the filing's photo is on the order, not again under its step
    expect(byTestId(steps[0].html, 'photo').map((p) => p.attr('src'))).toEqual(['temp:/api/v1/owner/repair-photos/50/thumbnail/'])
    expect(downloadImage).toHaveBeenCalledTimes(2)
    await render(DetailPage)
    expect(downloadImage).toHaveBeenCalledTimes(2) // fetched once
  })

  it('shows a placeholder for a photo that cannot be fetched', async () => {
    downloadImage.mockRejectedValueOnce(new Error('HTTP 404'))
    backend.on('GET /api/v1/owner/repairs/9/', ok({ ...ORDER, photos: [photo(41, 'problem', 1)] }))
    await show(DetailPage, { id: '9' })
    await settle()
    const html = await render(DetailPage)
    expect(byTestId(html, 'photo')).toHaveLength(0)
    expect(one(html, 'photo-waiting').text).toBe('×')
  })
})

describe('my repairs and one repair', () => {
  it('lists my repairs with their status', async () => {
    backend.on('GET /api/v1/owner/repairs/', ok({ count: 1, next: null, previous: null, results: [ORDER] }))
    const html = await show(ListPage)
    expect(one(html, 'repair').attr('data-status')).toBe('submitted')
    expect(one(html, 'repair-status').text).toBe('待派单')
  })

  it('cancels before work starts; the timeline grows', async () => {
    backend.on('GET /api/v1/owner/repairs/9/', ok(ORDER))
    backend.on('POST /api/v1/owner/repairs/9/cancel/', ok({
      ...ORDER,
      status: 'cancelled',
      actions: [],
      timeline: [...ORDER.timeline, { ...ORDER.timeline[0], id: 2, transition: 'cancel', from_status: 'submitted', to_status: 'cancelled' }],
    }))
    let html = await show(DetailPage, { id: '9' })
    expect(byTestId(html, 'repair-cancel')).toHaveLength(1)
    expect(byTestId(html, 'repair-rate')).toHaveLength(0)
    expect(await repairs.cancel()).toBe(true)
    html = await render(DetailPage)
    expect(one(html, 'repair-detail-status').text).toBe('已取消')
    expect(byTestId(html, 'repair-step').map((s) => s.attr('data-transition'))).toEqual(['file', 'cancel'])
    expect(byTestId(html, 'repair-cancel')).toHaveLength(0)
  })

  it('rates a completed repair with stars and tags, and can reopen it when the server allows', async () => {
    const completed = { ...ORDER, status: 'completed', worker: 5, worker_name: '赵师傅', actions: ['confirm', 'reopen'] }
    backend.on('GET /api/v1/owner/repairs/9/', ok(completed))
    let sent: unknown = null
    backend.on('POST /api/v1/owner/repairs/9/confirm/', (o) => {
      sent = o.data
      return ok({ ...completed, status: 'confirmed', rating: 4, rating_tags: ['准时上门'], actions: ['reopen'] })
    })
    let html = await show(DetailPage, { id: '9' })
    expect(byTestId(html, 'repair-rate')).toHaveLength(1)
    expect(byTestId(html, 'repair-reopen')).toHaveLength(1)
    expect(await repairs.confirm()).toBe(false) // no stars yet
    expect(repairs.state.detailError).toBe(t('repairs.errors.stars'))
    repairs.state.rating.stars = 4
    repairs.toggleTag('onTime')
    repairs.toggleTag('tidy')
    repairs.toggleTag('tidy') // untick
    expect(await repairs.confirm()).toBe(true)
    expect(sent).toEqual({ rating: 4, tags: ['准时上门'], note: '' })
    html = await render(DetailPage)
    expect(one(html, 'repair-my-rating').text).toContain('★★★★☆')
    expect(byTestId(html, 'repair-rate')).toHaveLength(0)
  })

  it('shows a paid repair’s fee and sends the owner to the bills page while it is owed', async () => {
    const charge = { charge_id: 91, amount: '35.50', paid: '0.00', outstanding: '35.50', due_date: '2026-12-10', status: 'unpaid' }
    const completed = { ...ORDER, status: 'completed', worker: 5, actions: [], fee: '35.50', materials: '水龙头一个', charge }
    backend.on('GET /api/v1/owner/repairs/9/', ok(completed))
    let html = await show(DetailPage, { id: '9' })
    expect(one(html, 'repair-fee-amount').text).toBe('¥35.50')
    expect(one(html, 'repair-fee-status').text).toBe('待缴费')
    expect(one(html, 'repair-fee').text).toContain('水龙头一个')
    expect(byTestId(html, 'repair-pay')).toHaveLength(1)

    backend.on('GET /api/v1/owner/repairs/9/', ok({ ...completed, charge: { ...charge, paid: '35.50', outstanding: '0.00', status: 'paid' } }))
    html = await show(DetailPage, { id: '9' })
    expect(one(html, 'repair-fee-status').text).toBe('已缴清')
    expect(byTestId(html, 'repair-pay')).toHaveLength(0)

    backend.on('GET /api/v1/owner/repairs/9/', ok({ ...ORDER, status: 'completed', actions: [] }))
    html = await show(DetailPage, { id: '9' })
    expect(byTestId(html, 'repair-fee')).toHaveLength(0) // free: nothing to pay
  })

  it('every repairs string has English', () => {
    setLocale('en')
    expect(t('repairs.statuses.completed')).toBe('To rate')
    expect(t('repairs.steps.file')).toBe('Reported')
    expect(t('titles.repairs')).toBe('Repairs')
    expect(t('repairs.feeStatuses.unpaid')).toBe('To pay')
  })
})
