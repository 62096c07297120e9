/**
 * 消息 for owners: the inbox page over a scripted backend — unread marks, opening a message marks
 * it read and follows its link, mark all read — and the profile entry's unread badge.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, messages, resetSession } from './support/fake-session'
import { platform } from '@/platform'

const hooks = vi.hoisted(() => ({ onShow: [] as Array<() => unknown> }))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: () => undefined,
  onPullDownRefresh: () => undefined,
  onReachBottom: () => undefined,
}))
vi.mock('@/platform', () => ({
  platform: {
    navigateTo: vi.fn(),
    reLaunch: vi.fn(),
    toast: vi.fn(),
    confirm: vi.fn(async () => true),
    stopPullDownRefresh: vi.fn(),
  },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const Page = (await import('@/pages/messages/messages.vue')).default

async function show(): Promise<string> {
  hooks.onShow.length = 0
  await render(Page)
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(Page)
}

const BILL = {
  id: 31,
  event: 'bill.issued',
  title: '新账单：物业费',
  body: '1栋1单元101 的物业费账单已出，金额 250.00 元，请在 2026-12-15 前缴纳。',
  link: '/pages/bills/bills?house=101',
  created_at: '2026-12-01T02:00:00Z',
  read_at: null as string | null,
}
const OLD = { ...BILL, id: 30, title: '新账单：水费', read_at: '2026-11-02T02:00:00Z' }

const page = (results: unknown[]) => ({ status: 200, data: { count: results.length, next: null, previous: null, results } })

beforeEach(() => {
  resetSession()
  vi.mocked(platform.navigateTo).mockClear()
})

describe('messages page', () => {
  it('lists messages with unread marks; opening one marks it read and opens its bill', async () => {
    let unread = 1
    backend.on('GET /api/v1/owner/notifications/', page([BILL, OLD]))
    backend.on('GET /api/v1/owner/notifications/unread-count/', () => ({ status: 200, data: { unread } }))
    backend.on('POST /api/v1/owner/notifications/31/read/', () => {
      unread = 0
      return { status: 200, data: { ...BILL, read_at: '2026-12-02T02:00:00Z' } }
    })
    let html = await show()
    expect(one(html, 'messages-page').attr('data-status')).toBe('ready')
    expect(byTestId(html, 'message').map((m) => [m.attr('data-message-id'), m.attr('data-read')])).toEqual([
      ['31', 'false'],
      ['30', 'true'],
    ])
    expect(byTestId(html, 'message')[0].text).toContain('金额 250.00 元')
    expect(messages.state.unread).toBe(1)

    const link = await messages.open(messages.state.messages[0])
    expect(link).toBe('/pages/bills/bills?house=101')
    expect(backend.called()).toContain('POST /api/v1/owner/notifications/31/read/')
    html = await render(Page)
    expect(byTestId(html, 'message')[0].attr('data-read')).toBe('true')
    expect(messages.state.unread).toBe(0)
    expect(byTestId(html, 'messages-read-all')).toHaveLength(0)
    await messages.open(messages.state.messages[0]) // already read: no second receipt
    expect(backend.called().filter((c) => c.startsWith('POST'))).toHaveLength(1)
  })

  it('marks all read, and says so when there is nothing', async () => {
    backend.on('GET /api/v1/owner/notifications/', page([BILL]))
    backend.on('GET /api/v1/owner/notifications/unread-count/', { status: 200, data: { unread: 1 } })
    backend.on('POST /api/v1/owner/notifications/read-all/', { status: 200, data: { marked: 1 } })
    const html = await show()
    expect(byTestId(html, 'messages-read-all')).toHaveLength(1)
    await messages.readAll()
    expect(messages.state.unread).toBe(0)
    expect(messages.state.messages[0].read_at).toBeTruthy()

    resetSession()
    backend.on('GET /api/v1/owner/notifications/', page([]))
    backend.on('GET /api/v1/owner/notifications/unread-count/', { status: 200, data: { unread: 0 } })
    expect(byTestId(await show(), 'messages-empty')).toHaveLength(1)
  })

  it('通知设置: essential events stay on; muting another and quiet hours are saved', async () => {
    const prefs = {
      muted_events: [] as string[],
      quiet_start: null as string | null,
      quiet_end: null as string | null,
      events: [
        { name: 'bill.issued', label: '新账单', essential: false, muted: false },
        { name: 'security.alert', label: '安全警报', essential: true, muted: false },
      ],
    }
    backend.on('GET /api/v1/owner/notification-preferences/', { status: 200, data: prefs })
    let sent: unknown = null
    backend.on('PUT /api/v1/owner/notification-preferences/', (o) => {
      sent = o.data
      return { status: 200, data: { ...prefs, muted_events: ['bill.issued'], quiet_start: '22:00:00', quiet_end: '07:00:00' } }
    })
    await messages.loadPreferences()
    messages.toggleMuted('security.alert') // essential: nothing happens
    expect(messages.state.preferences?.muted_events).toEqual([])
    messages.toggleMuted('bill.issued')
    messages.setQuietHours('22:00', '07:00')
    expect(await messages.savePreferences()).toBe(true)
    expect(sent).toEqual({ muted_events: ['bill.issued'], quiet_start: '22:00', quiet_end: '07:00' })
    expect(messages.state.preferences?.quiet_start).toBe('22:00:00')

    backend.on('PUT /api/v1/owner/notification-preferences/', {
      status: 400,
      data: { code: 'invalid', message: '安全警报 是必要通知，不能关闭。', fields: { muted_events: ['安全警报 是必要通知，不能关闭。'] } },
    })
    expect(await messages.savePreferences()).toBe(false)
    expect(messages.state.preferencesError).toContain('必要通知')
  })
})
