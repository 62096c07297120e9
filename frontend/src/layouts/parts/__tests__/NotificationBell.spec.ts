import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import type { InboxItem } from '@/api/notifications'
import NotificationBell from '@/layouts/parts/NotificationBell.vue'
import { jsonResponse, mockFetch } from '@/test/http'

const item = (over: Partial<InboxItem>): InboxItem => ({
  id: 7,
  event: 'binding.pending',
  title: '房屋绑定申请待审核',
  body: '王五 申请绑定 1栋1单元101（业主），请审核。',
  link: '/basic-data/bindings?status=pending',
  created_at: '2026-12-02T02:00:00Z',
  read_at: null,
  ...over,
})

function router() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/basic-data/bindings', component: { template: '<div />' } },
    ],
  })
}

/** Click, then let the popover's zero-delay opening timer run. */
async function openBell(wrapper: ReturnType<typeof mount>) {
  await wrapper.find('[data-testid="notification-bell-button"]').trigger('click')
  await new Promise((resolve) => setTimeout(resolve, 10))
  await flushPromises()
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('NotificationBell', () => {
  it('shows the unread count, lists the messages and opens one, marking it read', async () => {
    let unread = 2
    const calls = mockFetch((call) => {
      if (call.url === '/api/v1/notifications/unread-count/') return jsonResponse({ unread })
      if (call.url.startsWith('/api/v1/notifications/?'))
        return jsonResponse({
          count: 2,
          next: null,
          previous: null,
          results: [
            item({}),
            item({ id: 6, title: '安全警报：火警', link: '', read_at: '2026-12-01T02:00:00Z' }),
          ],
        })
      if (call.url === '/api/v1/notifications/7/read/') {
        unread = 1
        return jsonResponse(item({ read_at: '2026-12-02T03:00:00Z' }))
      }
      if (call.url === '/api/v1/auth/csrf/') return jsonResponse({ csrf_token: 't' })
      return jsonResponse({ code: 'not_found', message: 'x' }, 404)
    })
    const appRouter = router()
    await appRouter.push('/')
    const wrapper = mount(NotificationBell, {
      global: { plugins: [appRouter] },
      attachTo: document.body,
    })
    await flushPromises()
    expect(wrapper.find('[data-testid="notification-unread"]').text()).toContain('2')

    await openBell(wrapper)
    const items = document.querySelectorAll('[data-testid="notification-item"]')
    expect([...items].map((e) => e.querySelector('.bell-title')?.textContent)).toEqual([
      '房屋绑定申请待审核',
      '安全警报：火警',
    ])
    expect(items[0].classList.contains('unread')).toBe(true)
    expect(items[1].classList.contains('unread')).toBe(false)

    ;(items[0] as HTMLElement).click()
    await flushPromises()
    expect(
      calls.some((c) => c.url === '/api/v1/notifications/7/read/' && c.method === 'POST'),
    ).toBe(true)
    expect(wrapper.find('[data-testid="notification-unread"]').text()).toContain('1')
    expect(appRouter.currentRoute.value.fullPath).toBe('/basic-data/bindings?status=pending')
    wrapper.unmount()
  })

  it('hides the badge when nothing is unread and says the inbox is empty', async () => {
    mockFetch((call) =>
      call.url === '/api/v1/notifications/unread-count/'
        ? jsonResponse({ unread: 0 })
        : jsonResponse({ count: 0, next: null, previous: null, results: [] }),
    )
    const appRouter = router()
    const wrapper = mount(NotificationBell, {
      global: { plugins: [appRouter] },
      attachTo: document.body,
    })
    await flushPromises()
    expect(wrapper.find('.el-badge__content').exists()).toBe(false)
    await openBell(wrapper)
    expect(document.querySelector('[data-testid="notification-empty"]')?.textContent).toContain(
      '暂无消息',
    )
    wrapper.unmount()
  })
})
