import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Activity, ActivitySignUp } from '@/api/activities'
import { jsonResponse } from '@/test/http'

import type { VueWrapper } from '@vue/test-utils'
import { flushPromises } from '@vue/test-utils'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  type,
} from '../../basic-data/__tests__/helpers'
import ActivitiesPage from '../ActivitiesPage.vue'

const MANAGE = ['activities.manage']

const activity = (over: Partial<Activity> = {}): Activity => ({
  id: 5,
  title: '中秋游园会',
  description: '<p>猜灯谜</p>',
  cover_url: '',
  start_at: '2026-12-20T14:00:00+08:00',
  end_at: '2026-12-20T16:00:00+08:00',
  place: '中心花园',
  target: 'company',
  estates: [],
  capacity: 30,
  signup_deadline: '2026-12-19T18:00:00+08:00',
  max_people: 2,
  fee: '0.00',
  fee_item: null,
  status: 'published',
  published_at: '2026-12-03T10:00:00+08:00',
  closed_at: null,
  confirmed_people: 12,
  waiting_count: 3,
  remind_hours_before: 24,
  signup_count: 6,
  checked_in_people: 2,
  no_show_people: 0,
  paid_amount: '0.00',
  created_at: '2026-12-03T09:00:00+08:00',
  updated_at: '2026-12-03T10:00:00+08:00',
  ...over,
})

const signup = (over: Partial<ActivitySignUp> = {}): ActivitySignUp => ({
  id: 41,
  house: 11,
  house_label: '1栋1单元101',
  estate_name: '阳光花园',
  owner_name: '张三',
  contact_name: '张三',
  people: 2,
  status: 'confirmed',
  payment_status: null,
  fee_charged: null,
  fee_paid: null,
  checked_in_at: null,
  confirmed_at: '2026-12-03T11:00:00+08:00',
  cancelled_at: null,
  created_at: '2026-12-03T11:00:00+08:00',
  ...over,
})

const STATS = {
  capacity: 30,
  confirmed: 6,
  confirmed_people: 12,
  waiting: 3,
  cancelled: 1,
  checked_in: 1,
  checked_in_people: 2,
  no_show_people: 0,
  paid_amount: '0.00',
  owing: 0,
  by_estate: [
    { estate: 1, estate_name: '阳光花园', confirmed: 6, confirmed_people: 12, waiting: 3, cancelled: 1, checked_in: 1 },
  ],
}

function backend(list: Activity[] = [activity(), activity({ id: 6, title: '亲子手工', status: 'draft' })]) {
  let checkedIn: string | null = null
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse([]),
    'GET /api/v1/activities/': () => page(list),
    'GET /api/v1/service-fee-items/': () => jsonResponse([{ id: 4, name: '活动费' }]),
    'GET /api/v1/activities/monthly-stats/': () =>
      jsonResponse([
        {
          month: '2026-12',
          activities: 2,
          cancelled_activities: 0,
          confirmed: 6,
          confirmed_people: 12,
          waiting: 3,
          cancelled: 1,
          checked_in: 1,
        },
      ]),
    'GET /api/v1/activities/5/': () => jsonResponse(activity()),
    'GET /api/v1/activities/5/signups/': () => page([signup({ checked_in_at: checkedIn })]),
    'GET /api/v1/activities/5/stats/': () => jsonResponse(STATS),
    'POST /api/v1/activities/5/check-in/': (call) => {
      if (bodyOf(call).code !== 'GOOD-CODE') {
        return jsonResponse({ code: 'invalid', message: '签到码无效。', fields: { code: ['签到码无效。'] } }, 400)
      }
      const already = checkedIn !== null
      checkedIn ??= '2026-12-20T14:05:00+08:00'
      return jsonResponse({ already_checked_in: already, signup: signup({ checked_in_at: checkedIn }) })
    },
    'POST /api/v1/activities/6/publish/': () => jsonResponse(activity({ id: 6, status: 'published' })),
    'POST /api/v1/activities/': (call) => jsonResponse(activity({ id: 7, ...bodyOf(call), status: 'draft' }), 201),
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('社区活动', () => {
  it('lists activities with their seats, waiting list and status, and the figures by month', async () => {
    backend()
    await mountPage(ActivitiesPage, { path: '/activities', permissions: MANAGE, modules: ['activities'] })
    expect($('activity-5')?.textContent).toContain('中秋游园会')
    expect($('activity-status-5')?.textContent).toContain('报名中')
    expect($('activity-status-6')?.textContent).toContain('草稿')
    expect(document.body.textContent).toContain('12 / 30')
    expect($('activity-monthly')?.textContent).toContain('2026-12')
    // a draft may be published or deleted; a published one finished or cancelled
    expect($('activity-publish-6')).not.toBeNull()
    expect($('activity-publish-5')).toBeNull()
    expect($('activity-cancel-5')).not.toBeNull()
  })

  it('publishes a draft after confirming', async () => {
    const all = backend()
    await mountPage(ActivitiesPage, { path: '/activities', permissions: MANAGE, modules: ['activities'] })
    await click('activity-publish-6')
    const confirm = [...document.body.querySelectorAll<HTMLElement>('.el-popconfirm button')].at(-1)!
    confirm.click()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(calls(all, 'POST', '/api/v1/activities/6/publish/')).toHaveLength(1)
  })

  it('checks an owner in by code, says so on a second scan and refuses a wrong code', async () => {
    const all = backend()
    await mountPage(ActivitiesPage, { path: '/activities', permissions: MANAGE, modules: ['activities'] })
    await click('activity-5')
    expect($('activity-signups')?.textContent).toContain('1栋1单元101')
    expect($('stat-waiting')?.textContent).toBe('3')

    await type('check-in-code', 'GOOD-CODE')
    await click('check-in-submit')
    expect($('check-in-result')?.textContent).toContain('签到成功')
    await type('check-in-code', 'GOOD-CODE')
    await click('check-in-submit')
    expect($('check-in-result')?.textContent).toContain('已签到过')
    expect(calls(all, 'POST', '/api/v1/activities/5/check-in/')).toHaveLength(2)

    await type('check-in-code', 'BAD')
    await click('check-in-submit')
    expect($('check-in-error')?.textContent).toContain('签到码无效')
  })

  it('creates an activity from the editor', async () => {
    const all = backend()
    await mountPage(ActivitiesPage, { path: '/activities', permissions: MANAGE, modules: ['activities'] })
    await click('activity-add')
    await type('activity-title', '重阳登山')
    await type('activity-place', '南山')
    expect($('activity-dialog')).not.toBeNull()
    expect(calls(all, 'GET', '/api/v1/service-fee-items/')).toHaveLength(1)
    // the required time range is missing: nothing is sent
    await click('activity-dialog-submit')
    expect(calls(all, 'POST', '/api/v1/activities/')).toHaveLength(0)
  })

  it('shows a paid activity’s payment status per sign-up and filters who has not paid', async () => {
    const paidActivity = activity({ fee: '30.00', fee_item: 4, paid_amount: '60.00' })
    const rows = [
      signup({ payment_status: 'paid', fee_charged: '60.00', fee_paid: '60.00' }),
      signup({ id: 42, house_label: '1栋1单元102', payment_status: 'unpaid', fee_charged: '30.00', fee_paid: '0.00' }),
      signup({ id: 43, house_label: '1栋1单元201', status: 'waiting' }),
    ]
    const all = fakeApi({
      'GET /api/v1/estates/tree/': () => jsonResponse([]),
      'GET /api/v1/activities/': () => page([paidActivity]),
      'GET /api/v1/activities/monthly-stats/': () => jsonResponse([]),
      'GET /api/v1/activities/5/': () => jsonResponse(paidActivity),
      'GET /api/v1/activities/5/stats/': () => jsonResponse({ ...STATS, paid_amount: '60.00', owing: 1 }),
      'GET /api/v1/activities/5/signups/': (_call, query) =>
        page(query.getAll('payment_status').length ? rows.filter((r) => r.payment_status === 'unpaid') : rows),
    })
    const { wrapper } = await mountPage(ActivitiesPage, {
      path: '/activities',
      permissions: MANAGE,
      modules: ['activities'],
    })
    expect(document.body.textContent).toContain('¥60.00')
    await click('activity-5')
    expect($('signup-payment-41')?.textContent).toContain('已缴')
    expect($('signup-payment-42')?.textContent).toContain('未缴')
    expect($('signup-payment-43')?.textContent).toContain('未出账')
    expect($('stat-owing')?.textContent).toBe('1')

    pick(wrapper, 'signup-filter-payment', 'owing')
    await flushPromises()
    const last = calls(all, 'GET', '/api/v1/activities/5/signups/').at(-1)!
    expect(new URL(last.url, 'http://test.local').searchParams.getAll('payment_status')).toEqual(['unpaid', 'partial'])
    expect(queryOf(last).page).toBe('1')
    expect($('signup-payment-41')).toBeNull()
    expect($('signup-payment-42')?.textContent).toContain('未缴')
  })

  it('offers the participation export on the list', async () => {
    backend()
    await mountPage(ActivitiesPage, { path: '/activities', permissions: MANAGE, modules: ['activities'] })
    expect($('table-export')).not.toBeNull()
  })
})

function pick(wrapper: VueWrapper, testid: string, value: unknown) {
  const select = wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find((c) => c.attributes('data-testid') === testid || c.find(`[data-testid="${testid}"]`).exists())
  if (!select) throw new Error(`no select ${testid}`)
  select.vm.$emit('update:modelValue', value)
  select.vm.$emit('change', value)
}
