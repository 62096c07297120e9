import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { PartnerAccount, PartnerNotice } from '@/api/partnerPortal'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  page,
  queryOf,
} from '@/pages/company/basic-data/__tests__/helpers'
import { jsonResponse } from '@/test/http'
import { partnerAccount } from '@/test/partner'

import { arriveAt, mountPortal, TOKEN } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  window.localStorage.clear()
  document.body.innerHTML = ''
})

const STAFF: PartnerAccount = { ...partnerAccount(), role: 'staff', permissions: ['partner.view'] }

const notice = (over: Partial<PartnerNotice> = {}): PartnerNotice => ({
  id: 81,
  kind: 'order_booked',
  title: '新订单',
  text: '阳光花园 1栋1单元101 预约了日常保洁，12月10日 09:00。',
  company_label: '阿尔法物业',
  portal_order: 71,
  created_at: '2026-12-01T08:00:00+08:00',
  read: false,
  sms: 'sent',
  ...over,
})

/**
 * A vendor's 消息 as the server keeps them: reading marks them, `?unread=true` counts the rest;
 * the settings answer what was last saved.
 */
function backend({ me = partnerAccount(), rows = [] as PartnerNotice[], smsAlerts = false } = {}) {
  const state = { rows: rows.map((r) => ({ ...r })), smsAlerts }
  const all = fakeApi({
    'GET /api/v1/partner/me/': () => jsonResponse(me),
    'GET /api/v1/partner/orders/': () => page([]),
    'GET /api/v1/partner/admissions/': () => page([]),
    'GET /api/v1/partner/notices/': (_call, query) => {
      const unread = query.get('unread') === 'true'
      const shown = unread ? state.rows.filter((r) => !r.read) : state.rows
      return page(unread ? shown.slice(0, 1) : shown, shown.length)
    },
    'POST /api/v1/partner/notices/read/': (call) => {
      const ids = bodyOf(call).ids as number[] | undefined
      let marked = 0
      for (const row of state.rows) {
        if (!row.read && (!ids || ids.includes(row.id))) {
          row.read = true
          marked += 1
        }
      }
      return jsonResponse({ marked })
    },
    'GET /api/v1/partner/notices/settings/': () => jsonResponse({ sms_alerts: state.smsAlerts }),
    'PATCH /api/v1/partner/notices/settings/': (call) => {
      state.smsAlerts = Boolean(bodyOf(call).sms_alerts)
      return jsonResponse({ sms_alerts: state.smsAlerts })
    },
  })
  return { all, state }
}

const ROWS = [
  notice(),
  notice({
    id: 82,
    kind: 'admission_approved',
    title: '入驻通过',
    text: '贝塔物业已准入您为 2 个小区服务。',
    company_label: '贝塔物业',
    portal_order: null,
    sms: 'failed',
  }),
  notice({
    id: 83,
    kind: 'document_expiring',
    title: '证件即将到期',
    text: '健康证将于 12月31日 到期，请及时上传新的证件。',
    company_label: '',
    portal_order: null,
    read: true,
    sms: '',
  }),
]

describe('消息', () => {
  it('lists the notices, the unread marked, with company, time and the way to an order', async () => {
    const { all } = backend({ rows: ROWS })
    await mountPortal('/partner/notices')
    const list = $('partner-notices')!.textContent!
    expect(list).toContain('新订单')
    expect(list).toContain('阿尔法物业')
    expect(list).toContain('贝塔物业已准入您为 2 个小区服务')
    expect(list).toContain('2026-12-01 08:00')
    expect($('partner-notice-unread-81')).not.toBeNull()
    expect($('partner-notice-unread-82')).not.toBeNull()
    expect($('partner-notice-unread-83')).toBeNull()
    expect($('partner-notice-order-81')).not.toBeNull()
    expect($('partner-notice-order-82')).toBeNull()
    expect($('partner-notice-sms-81')?.textContent).toBe('已发短信')
    expect($('partner-notice-sms-82')?.textContent).toBe('短信发送失败')
    expect($('partner-notice-sms-83')).toBeNull()
    expect($('partner-notices-empty')).toBeNull()
    expect(calls(all, 'GET', '/api/v1/partner/notices/')[0]!.headers.Authorization).toBe(
      `Bearer ${TOKEN}`,
    )
  })

  it('opening one marks it read and counts the badge again; an order’s goes on to 订单', async () => {
    const { all } = backend({ rows: ROWS })
    const { router } = await mountPortal('/partner/notices')
    expect($('partner-nav-notices-unread')?.textContent).toBe('2')

    await click('partner-notice-82')
    const read = calls(all, 'POST', '/api/v1/partner/notices/read/')
    expect(read).toHaveLength(1)
    expect(bodyOf(read[0]!)).toEqual({ ids: [82] })
    expect($('partner-notice-unread-82')).toBeNull()
    expect($('partner-nav-notices-unread')?.textContent).toBe('1')

    await click('partner-notice-82') // already read: nothing more to tell
    expect(calls(all, 'POST', '/api/v1/partner/notices/read/')).toHaveLength(1)

    await click('partner-notice-order-81')
    await arriveAt(router, 'partner-orders')
    expect(bodyOf(calls(all, 'POST', '/api/v1/partner/notices/read/')[1]!)).toEqual({ ids: [81] })
    expect($('partner-nav-notices-unread')).toBeNull()
  })

  it('marks them all read at once', async () => {
    const { all } = backend({ rows: ROWS })
    await mountPortal('/partner/notices')
    await click('partner-notices-read-all')
    const read = calls(all, 'POST', '/api/v1/partner/notices/read/')
    expect(read).toHaveLength(1)
    expect(bodyOf(read[0]!)).toEqual({})
    expect($('partner-notice-unread-81')).toBeNull()
    expect($('partner-notice-unread-82')).toBeNull()
    expect($('partner-nav-notices-unread')).toBeNull()
    expect($('partner-notices-read-all')?.hasAttribute('disabled')).toBe(true)
  })

  it('lets the manager turn text alerts on', async () => {
    const { all } = backend({ rows: ROWS })
    await mountPortal('/partner/notices')
    expect($('partner-notices-sms')?.classList.contains('is-checked')).toBe(false)
    expect($('partner-notices-sms')?.classList.contains('is-disabled')).toBe(false)
    await click('partner-notices-sms')
    const sent = calls(all, 'PATCH', '/api/v1/partner/notices/settings/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0]!)).toEqual({ sms_alerts: true })
    expect($('partner-notices-sms')?.classList.contains('is-checked')).toBe(true)
  })

  it('shows a staff account the setting without letting it change it', async () => {
    const { all } = backend({ me: STAFF, rows: ROWS, smsAlerts: true })
    await mountPortal('/partner/notices')
    expect($('partner-notices-sms')?.classList.contains('is-checked')).toBe(true)
    expect($('partner-notices-sms')?.classList.contains('is-disabled')).toBe(true)
    expect($('partner-notices-sms-hint')?.textContent).toContain('只有负责人可以修改短信提醒')
    await click('partner-notices-sms')
    expect(calls(all, 'PATCH', '/api/v1/partner/notices/settings/')).toHaveLength(0)
  })

  it('says so when there is nothing yet', async () => {
    backend()
    await mountPortal('/partner/notices')
    expect($('partner-notices-empty')?.textContent).toContain('还没有消息')
    expect($('partner-nav-notices-unread')).toBeNull()
    expect($('partner-notices-read-all')?.hasAttribute('disabled')).toBe(true)
  })
})

describe('消息 badge', () => {
  it('counts the unread beside 消息 on every page, and again each minute with the orders', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const { all, state } = backend({ rows: ROWS })
    await mountPortal('/partner')
    expect($('partner-nav-notices-unread')?.textContent).toBe('2')
    const unreadCalls = () =>
      calls(all, 'GET', '/api/v1/partner/notices/').filter((c) => queryOf(c).unread === 'true')
    expect(unreadCalls()).toHaveLength(1)
    expect(queryOf(unreadCalls()[0]!)).toMatchObject({ page: '1', page_size: '1' })
    const booked = calls(all, 'GET', '/api/v1/partner/orders/').length

    state.rows.push(notice({ id: 84 }), notice({ id: 85 }))
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(unreadCalls()).toHaveLength(2)
    expect(calls(all, 'GET', '/api/v1/partner/orders/')).toHaveLength(booked + 1)
    expect($('partner-nav-notices-unread')?.textContent).toBe('4')
    expect($('partner-nav-notices-unread')?.getAttribute('title')).toBe('4 条未读消息')
  })
})
