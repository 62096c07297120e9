/**
 * 社区公告 for owners over a scripted backend: the home tile leads to the list (pinned first as the
 * server orders it, each with its kind and an unread dot); opening one shows the sanitised body as
 * rich text, and that request is the read receipt — the dot goes; the notification's link (what
 * tenants/notices/events.py sends) is the detail page's URL.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, notices, resetSession } from './support/fake-session'
import { platform } from '@/platform'
import { setLocale } from '@/i18n'
import { featureUrl } from '@/config/features'
import { noticeUrl, PAGES } from '@/config/routes'

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

const ListPage = (await import('@/pages/notices/list.vue')).default
const DetailPage = (await import('@/pages/notices/detail.vue')).default

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
const notice = (id: number, fields: object = {}) => ({
  id,
  title: `公告${id}`,
  kind: 'general',
  pinned: false,
  published_at: '2026-12-03T02:00:00Z',
  expires_at: null,
  is_read: false,
  ...fields,
})
const LIST = [
  notice(7, { title: '3栋明日停水', kind: 'outage', pinned: true }),
  notice(5, { title: '物业费调整说明', is_read: true }),
]

beforeEach(() => {
  resetSession()
  setLocale('zh-CN')
  vi.mocked(platform.navigateTo).mockClear()
})

describe('the 社区公告 tile and link', () => {
  it('opens the notices list; a notification links to the detail page', () => {
    expect(featureUrl('notices')).toBe(PAGES.notices)
    // tenants/notices/events.py: link "/pages/notices/detail?id=%(notice_id)s"
    expect(noticeUrl(7)).toBe('/pages/notices/detail?id=7')
  })
})

describe('社区公告', () => {
  it('lists the notices pinned first with their kind, and dots the unread ones', async () => {
    backend.on('GET /api/v1/owner/notices/', ok({ count: 2, next: null, previous: null, results: LIST }))
    const html = await show(ListPage)
    const rows = byTestId(html, 'notice')
    expect(rows.map((r) => r.attr('data-notice-id'))).toEqual(['7', '5'])
    expect(rows.map((r) => r.attr('data-read'))).toEqual(['false', 'true'])
    expect(byTestId(rows[0]!.html, 'notice-unread')).toHaveLength(1)
    expect(byTestId(rows[1]!.html, 'notice-unread')).toHaveLength(0)
    expect(one(rows[0]!.html, 'notice-kind').text).toBe('停水停电')
    expect(byTestId(rows[0]!.html, 'notice-pinned')).toHaveLength(1)
    expect(byTestId(rows[1]!.html, 'notice-pinned')).toHaveLength(0)
  })

  it('says so when there are none', async () => {
    backend.on('GET /api/v1/owner/notices/', ok({ count: 0, next: null, previous: null, results: [] }))
    const html = await show(ListPage)
    expect(html).toContain('暂无公告')
  })

  it('opens one: the body as rich text, the read recorded and the dot gone', async () => {
    backend.on('GET /api/v1/owner/notices/', ok({ count: 2, next: null, previous: null, results: LIST }))
    backend.on(
      'GET /api/v1/owner/notices/7/',
      ok({ ...LIST[0], is_read: true, body: '<p>8:00 停水</p><img src="https://alpha.example.com/media/a.jpg">' }),
    )
    await show(ListPage)
    const html = await show(DetailPage, { id: '7' })
    expect(backend.called()).toContain('GET /api/v1/owner/notices/7/')
    expect(one(html, 'notice-detail-title').text).toBe('3栋明日停水')
    expect(one(html, 'notice-detail-kind').text).toBe('停水停电')
    const body = one(html, 'notice-detail-body').attr('nodes') ?? ''
    expect(body).toContain('&lt;p&gt;8:00 停水&lt;/p&gt;')
    expect(body).toContain('max-width:100%')
    expect(notices.list.items.find((n) => n.id === 7)?.is_read).toBe(true)
  })

  it('brings the next page when the owner reaches the bottom, then says there is no more', async () => {
    const first = Array.from({ length: 20 }, (_, i) => notice(100 - i))
    backend.on('GET /api/v1/owner/notices/', (request) =>
      /[?&]page=2\b/.test(request.url)
        ? ok({ count: 22, next: null, previous: 'p1', results: [notice(81), notice(79), notice(78)] })
        : ok({ count: 22, next: 'p2', previous: null, results: first }),
    )
    let html = await show(ListPage)
    expect(byTestId(html, 'notice')).toHaveLength(20)
    expect(byTestId(html, 'notices-more')).toHaveLength(1)
    await notices.loadMore() // what onReachBottom and the 加载更多 tap call
    html = await render(ListPage)
    const ids = byTestId(html, 'notice').map((r) => r.attr('data-notice-id'))
    // 81 was on the first page already (a notice published meanwhile shifted the pages): once.
    expect(ids).toHaveLength(22)
    expect(ids.slice(-3)).toEqual(['81', '79', '78'])
    expect(byTestId(html, 'notices-more')).toHaveLength(0)
    expect(one(html, 'notices-end').text).toBe('没有更多了')
  })

  it('says so when the notice is gone (withdrawn or expired)', async () => {
    backend.on('GET /api/v1/owner/notices/9/', ok({ code: 'not_found', message: '未找到。' }, 404))
    const html = await show(DetailPage, { id: '9' })
    expect(one(html, 'notice-detail-error').text).toContain('未找到')
  })
})
