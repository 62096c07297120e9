/**
 * 社区活动 for owners over a scripted backend: the home tile opens the list, the list shows seats
 * and my sign-up, the detail signs up (confirmed with a QR check-in code, or waiting with a place in
 * the queue), cancels until the start, and shows the server's refusals.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { activities, backend, resetSession } from './support/fake-session'
import { platform } from '@/platform'
import { setLocale } from '@/i18n'
import { featureUrl } from '@/config/features'
import { qrMatrix } from '@/utils/qrcode'

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

const ListPage = (await import('@/pages/activities/list.vue')).default
const DetailPage = (await import('@/pages/activities/detail.vue')).default

async function show(page: Parameters<typeof render>[0], query: object = {}): Promise<string> {
  hooks.onShow.length = 0
  hooks.onLoad.length = 0
  await render(page)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

const ok = (data: unknown, status = 200) => ({ status, data })
const future = (days: number) => new Date(Date.now() + days * 86400_000).toISOString()

const ACTIVITY = {
  id: 3,
  title: '中秋游园会',
  cover_url: '',
  start_at: future(3),
  end_at: future(3.1),
  place: '中心花园',
  capacity: 2,
  signup_deadline: future(2),
  max_people: 2,
  fee: '0.00',
  status: 'published',
  confirmed_people: 1,
  waiting_count: 0,
}
const CODE = 'Xy9_kL2mQp7RtZ3a'
const signup = (over: object = {}) => ({
  id: 8,
  activity: 3,
  activity_title: '中秋游园会',
  activity_start_at: ACTIVITY.start_at,
  house: 101,
  house_label: '1栋1单元101',
  people: 1,
  contact_name: '林业主',
  status: 'confirmed',
  waiting_position: null,
  check_in_code: CODE,
  checked_in_at: null,
  fee_total: null,
  charge_status: null,
  created_at: future(0),
  ...over,
})
const detail = (over: object = {}) => ({ ...ACTIVITY, description: '<p>猜灯谜</p>', my_signup: null, ...over })

beforeEach(() => {
  resetSession()
  setLocale('zh-CN')
  vi.mocked(platform.toast).mockClear()
})

describe('社区活动', () => {
  it('the home tile opens the activity list', () => {
    expect(featureUrl('activities')).toBe('/pages/activities/list')
  })

  it('lists the activities with their seats and my sign-up', async () => {
    backend.on('GET /api/v1/owner/activities/', ok({ count: 1, next: null, previous: null, results: [ACTIVITY] }))
    backend.on('GET /api/v1/owner/activity-signups/', ok({ count: 1, next: null, previous: null, results: [signup()] }))
    const html = await show(ListPage)
    expect(html).toContain('中秋游园会')
    expect(html).toContain('已报名 1/2 人')
    expect(one(html, 'activity-mine').text).toContain('已报名')
  })

  it('brings the next page of activities as the owner reaches the bottom', async () => {
    const page1 = Array.from({ length: 20 }, (_, i) => ({ ...ACTIVITY, id: 100 - i, title: `活动${100 - i}` }))
    backend.on('GET /api/v1/owner/activities/', (request) =>
      /[?&]page=2\b/.test(request.url)
        ? ok({ count: 21, next: null, previous: 'p1', results: [{ ...ACTIVITY, id: 3 }] })
        : ok({ count: 21, next: 'p2', previous: null, results: page1 }),
    )
    backend.on('GET /api/v1/owner/activity-signups/', ok({ count: 1, next: null, previous: null, results: [signup()] }))
    let html = await show(ListPage)
    expect(byTestId(html, 'activities-more')).toHaveLength(1)
    await activities.loadMore()
    html = await render(ListPage)
    expect(html).toContain('中秋游园会') // the 21st, on page 2
    expect(one(html, 'activity-mine').text).toContain('已报名') // my sign-up marks it there too
    expect(one(html, 'activities-end').text).toBe('没有更多了')
    expect(backend.called().filter((c) => c.startsWith('GET /api/v1/owner/activity-signups/'))).toHaveLength(1)
  })

  it('shows an honest empty state', async () => {
    backend.on('GET /api/v1/owner/activities/', ok({ count: 0, next: null, previous: null, results: [] }))
    backend.on('GET /api/v1/owner/activity-signups/', ok({ count: 0, next: null, previous: null, results: [] }))
    expect(await show(ListPage)).toContain('暂时没有面向您小区的活动')
  })

  it('signs up for two people and shows the check-in code as a QR', async () => {
    backend.on('GET /api/v1/owner/activities/3/', ok(detail()))
    let sent: unknown = null
    backend.on('POST /api/v1/owner/activities/3/sign-up/', (o) => {
      sent = o.data
      return ok(detail({ confirmed_people: 2, my_signup: signup({ people: 2 }) }), 201)
    })
    let html = await show(DetailPage, { id: '3' })
    expect(html).toContain('立即报名')
    activities.setPeople(5) // clamped to the activity's most per sign-up
    expect(activities.state.people).toBe(2)
    await activities.signUp()
    html = await render(DetailPage)
    expect(sent).toEqual({ people: 2 })
    expect(one(html, 'activity-my-signup').text).toContain('已报名')
    expect(html).toContain(CODE)
    const modules = qrMatrix(CODE).length
    expect(html).toContain(`data-modules="${modules}"`)
    expect(html).toContain('取消报名')
  })

  it('joins the waiting list when full and shows the place in the queue, without a code', async () => {
    backend.on('GET /api/v1/owner/activities/3/', ok(detail({ confirmed_people: 2 })))
    backend.on(
      'POST /api/v1/owner/activities/3/sign-up/',
      ok(detail({ confirmed_people: 2, waiting_count: 1, my_signup: signup({ status: 'waiting', waiting_position: 1, check_in_code: null }) }), 201),
    )
    let html = await show(DetailPage, { id: '3' })
    expect(html).toContain('报名候补')
    expect(html).toContain('名额已满')
    await activities.signUp()
    html = await render(DetailPage)
    expect(one(html, 'activity-position').text).toContain('候补第 1 位')
    expect(html).not.toContain('data-testid="qr-code"')
  })

  it('cancels my sign-up and shows the server refusing one after the deadline', async () => {
    backend.on('GET /api/v1/owner/activities/3/', ok(detail({ my_signup: signup() })))
    backend.on('POST /api/v1/owner/activities/3/cancel-signup/', ok(detail()))
    await show(DetailPage, { id: '3' })
    expect(activities.canCancel()).toBe(true)
    expect(await activities.cancel()).toBe(true)
    expect(activities.state.detail?.my_signup).toBeNull()

    backend.on('POST /api/v1/owner/activities/3/sign-up/', ok({ code: 'deadline_passed', message: '报名已截止。' }, 409))
    expect(await activities.signUp()).toBe(false)
    const html = await render(DetailPage)
    expect(one(html, 'activity-detail-error').text).toContain('报名已截止')
  })

  it('offers no sign-up after the deadline and no cancel after the start', async () => {
    backend.on('GET /api/v1/owner/activities/3/', ok(detail({ signup_deadline: future(-1), start_at: future(-0.01), my_signup: null })))
    const html = await show(DetailPage, { id: '3' })
    expect(html).not.toContain('data-testid="activity-sign-up"')
    expect(html).toContain('报名已截止')
    expect(activities.canCancel()).toBe(false)
  })
})

describe('社区活动 with a fee', () => {
  it('shows the fee, what I owe and a way to pay it', async () => {
    backend.on(
      'GET /api/v1/owner/activities/3/',
      ok(detail({ fee: '25.50', my_signup: signup({ people: 2, fee_total: '51.00', charge_status: 'unpaid' }) })),
    )
    const html = await show(DetailPage, { id: '3' })
    expect(one(html, 'activity-fee').text).toContain('25.50')
    expect(one(html, 'activity-charge').text).toContain('应缴 51.00 元')
    expect(one(html, 'activity-charge').text).toContain('待缴')
    expect(byTestIdCount(html, 'activity-pay')).toBe(1)
  })
})

function byTestIdCount(html: string, id: string): number {
  return html.split(`data-testid="${id}"`).length - 1
}
