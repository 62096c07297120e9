/**
 * 投诉建议 for owners over a scripted backend: the tile, filing (type, optional house, anonymous only
 * for a suggestion, the server's field errors), my items, the detail with the management's reply,
 * withdraw and rate offered only when the server lists them; photos picked, uploaded with the token,
 * filed by id, and shown on the detail fetched with the token.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, downloadImage, feedback, photoSource, resetSession } from './support/fake-session'
import { HOUSES } from './support/fake-api'
import { photoRow, scriptPhotoUploads } from './support/photo-uploads'
import { platform } from '@/platform'
import { setLocale, t } from '@/i18n'
import { featureUrl } from '@/config/features'

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

const ListPage = (await import('@/pages/feedback/list.vue')).default
const FilePage = (await import('@/pages/feedback/file.vue')).default
const DetailPage = (await import('@/pages/feedback/detail.vue')).default

async function show(page: Parameters<typeof render>[0], query: object = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

const ITEM = {
  id: 5,
  kind: 'complaint',
  status: 'submitted',
  description: '夜里装修噪音',
  anonymous: false,
  house: 101,
  house_label: '1栋1单元101',
  estate: 1,
  estate_name: '翠湖花园',
  owner_name: '林业主',
  assignee: null,
  assignee_name: null,
  reply: '',
  replied_at: null,
  resolved_at: null,
  rating: null,
  reply_due_at: '2026-12-04T02:00:00Z',
  overdue: false,
  created_at: '2026-12-03T02:00:00Z',
  actions: ['withdraw'],
  photos: [],
  timeline: [
    { id: 1, transition: 'file', from_status: '', to_status: 'submitted', actor_name: '林业主', by_owner: true, assignee_name: null, note: '', at: '2026-12-03T02:00:00Z' },
  ],
}
const ok = (data: unknown, status = 200) => ({ status, data })

beforeEach(() => {
  resetSession()
  setLocale('zh-CN')
  vi.mocked(platform.redirectTo).mockClear()
})

describe('the 投诉建议 tile', () => {
  it('opens the feedback page, no longer "coming soon"', () => {
    expect(featureUrl('feedback')).toBe('/pages/feedback/list')
  })
})

describe('filing feedback', () => {
  function scripted() {
    backend.on('GET /api/v1/owner/houses/', ok(HOUSES.slice(0, 1)))
    let sent: Record<string, unknown> | null = null
    backend.on('POST /api/v1/owner/feedback/', (o) => {
      sent = o.data as Record<string, unknown>
      return ok(ITEM, 201)
    })
    return () => sent
  }

  it('asks for a type and content, then files about my house', async () => {
    const sent = scripted()
    const html = await show(FilePage)
    expect(byTestId(html, 'feedback-kind-praise')).toHaveLength(1)
    expect(byTestId(html, `feedback-house-${HOUSES[0].house}`)).toHaveLength(1)
    expect(byTestId(html, 'feedback-anonymous')).toHaveLength(0) // only for a suggestion
    expect(await feedback.submit()).toBeNull()
    expect(feedback.state.errors).toMatchObject({ kind: t('feedback.errors.kind'), description: t('feedback.errors.description') })
    feedback.pickKind('complaint')
    feedback.state.form.house = HOUSES[0].house
    feedback.state.form.description = ' 夜里装修噪音 '
    const item = await feedback.submit()
    expect(item?.id).toBe(5)
    expect(sent()).toEqual({ kind: 'complaint', description: '夜里装修噪音', house: HOUSES[0].house, anonymous: false })
  })

  it('offers anonymity only for a suggestion, and drops it when the type changes', async () => {
    const sent = scripted()
    await show(FilePage)
    feedback.pickKind('suggestion')
    let html = await render(FilePage)
    expect(byTestId(html, 'feedback-anonymous')).toHaveLength(1)
    feedback.state.form.anonymous = true
    feedback.pickKind('complaint')
    expect(feedback.state.form.anonymous).toBe(false)
    feedback.pickKind('suggestion')
    feedback.state.form.anonymous = true
    feedback.state.form.description = '建议增加充电桩'
    await feedback.submit()
    expect(sent()).toMatchObject({ kind: 'suggestion', anonymous: true, house: null })
    html = await render(FilePage)
    expect(html).toBeTruthy()
  })

  it('shows the server’s field errors under their fields', async () => {
    scripted()
    backend.on('POST /api/v1/owner/feedback/', ok({ code: 'invalid', message: '请填写内容。', fields: { description: ['请填写内容。'] } }, 400))
    await show(FilePage)
    feedback.pickKind('consultation')
    feedback.state.form.description = 'x'
    expect(await feedback.submit()).toBeNull()
    const html = await render(FilePage)
    expect(one(html, 'feedback-description-error').text).toContain('请填写内容')
  })
})

describe('my feedback and one item', () => {
  it('lists my items with their kind and status', async () => {
    backend.on('GET /api/v1/owner/feedback/', ok({ count: 1, next: null, previous: null, results: [ITEM] }))
    const html = await show(ListPage)
    expect(one(html, 'feedback-item').attr('data-status')).toBe('submitted')
    expect(one(html, 'feedback-status').text).toBe('待处理')
  })

  it('shows the reply, and withdraws when the server offers it', async () => {
    backend.on('GET /api/v1/owner/feedback/5/', ok({ ...ITEM, status: 'replied', reply: '已联系装修户', replied_at: '2026-12-03T03:00:00Z' }))
    backend.on('POST /api/v1/owner/feedback/5/withdraw/', ok({ ...ITEM, status: 'withdrawn', actions: [] }))
    let html = await show(DetailPage, { id: '5' })
    expect(one(html, 'feedback-reply').text).toContain('已联系装修户')
    expect(byTestId(html, 'feedback-rate')).toHaveLength(0)
    expect(await feedback.withdraw()).toBe(true)
    html = await render(DetailPage)
    expect(one(html, 'feedback-detail-status').text).toBe('已撤回')
    expect(byTestId(html, 'feedback-withdraw')).toHaveLength(0)
  })

  it('rates a resolved item 1–5 stars', async () => {
    backend.on('GET /api/v1/owner/feedback/5/', ok({ ...ITEM, status: 'resolved', reply: '已处理', actions: ['rate'] }))
    let sent: Record<string, unknown> | null = null
    backend.on('POST /api/v1/owner/feedback/5/rate/', (o) => {
      sent = o.data as Record<string, unknown>
      return ok({ ...ITEM, status: 'closed', rating: 4, actions: [] })
    })
    let html = await show(DetailPage, { id: '5' })
    expect(byTestId(html, 'feedback-rate')).toHaveLength(1)
    expect(byTestId(html, 'feedback-withdraw')).toHaveLength(0)
    expect(await feedback.rate()).toBe(false) // no stars yet
    expect(feedback.state.detailError).toBe(t('feedback.errors.stars'))
    feedback.state.stars = 4
    expect(await feedback.rate()).toBe(true)
    expect(sent).toEqual({ rating: 4, note: '' })
    html = await render(DetailPage)
    expect(one(html, 'feedback-rating').text).toContain('4 星')
  })
})

const photo = (id: number) => photoRow('/api/v1/owner/feedback-photos/', id)

describe('photos on feedback', () => {
  function scripted() {
    backend.on('GET /api/v1/owner/houses/', ok(HOUSES.slice(0, 1)))
    const uploads = scriptPhotoUploads('/api/v1/owner/feedback-photos/', 70, photo)
    let sent: Record<string, unknown> | null = null
    backend.on('POST /api/v1/owner/feedback/', (o) => {
      sent = o.data as Record<string, unknown>
      return ok(ITEM, 201)
    })
    return { uploads, sent: () => sent }
  }

  it('uploads each picked photo with my token (up to 9), drops a removed one and files the rest by id', async () => {
    const { uploads, sent } = scripted()
    let html = await show(FilePage)
    expect(one(html, 'feedback-photo-add').text).toContain('0/9')
    photoSource.chooseImages.mockResolvedValueOnce(['blob:a', 'blob:b', 'blob:c'])
    await feedback.addPhotos()
    expect(photoSource.chooseImages).toHaveBeenCalledWith(9)
    expect(uploads.map((u) => u.data)).toEqual([{ file: 'blob:a' }, { file: 'blob:b' }, { file: 'blob:c' }])
    expect(uploads.every((u) => u.auth === 'Bearer owner-token')).toBe(true)
    html = await render(FilePage)
    expect(byTestId(html, 'feedback-photo')).toHaveLength(3)
    feedback.removePhoto(72)
    photoSource.chooseImages.mockResolvedValueOnce(['blob:d'])
    await feedback.addPhotos()
    expect(photoSource.chooseImages).toHaveBeenLastCalledWith(7) // 9 less the 2 kept
    feedback.pickKind('complaint')
    feedback.state.form.description = '楼道堆放杂物'
    expect(await feedback.submit()).not.toBeNull()
    expect(sent()).toMatchObject({ kind: 'complaint', photos: [71, 73, 74] })
    expect(feedback.state.form.photos).toEqual([]) // a new form after filing
  })

  it('names a refused photo, keeps the others, and does not file while uploading', async () => {
    const { sent } = scripted()
    await show(FilePage)
    photoSource.chooseImages.mockResolvedValueOnce(['blob:a', 'blob:bad.heic'])
    await feedback.addPhotos()
    const html = await render(FilePage)
    expect(byTestId(html, 'feedback-photo')).toHaveLength(1)
    expect(one(html, 'feedback-photos-error').text).toContain('只支持 JPEG、PNG、WebP 图片')
    feedback.pickKind('praise')
    feedback.state.form.description = '保安很负责'
    feedback.state.uploading = true
    expect(await feedback.submit()).toBeNull()
    expect(feedback.state.errors.form).toBe(t('photos.errors.uploading'))
    expect(sent()).toBeNull()
    feedback.state.uploading = false
    expect(await feedback.submit()).not.toBeNull()
    expect(sent()).toMatchObject({ kind: 'praise', photos: [71] })
  })

  it('files without photos as before (no photos field)', async () => {
    const { sent } = scripted()
    await show(FilePage)
    feedback.pickKind('consultation')
    feedback.state.form.description = '停车费怎么交'
    await feedback.submit()
    expect(sent()).not.toHaveProperty('photos')
  })

  it('shows my item’s photos on the detail, fetched with my token', async () => {
    backend.on('GET /api/v1/owner/feedback/5/', ok({ ...ITEM, photos: [photo(71), photo(72)] }))
    await show(DetailPage, { id: '5' })
    await settle()
    const html = await render(DetailPage)
    const strip = one(html, 'feedback-detail-photos')
    expect(byTestId(strip.html, 'photo').map((p) => p.attr('src'))).toEqual([
      'temp:/api/v1/owner/feedback-photos/71/thumbnail/',
      'temp:/api/v1/owner/feedback-photos/72/thumbnail/',
    ])
    expect(downloadImage).toHaveBeenCalledTimes(2)
  })
})
