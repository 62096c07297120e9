import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import { $, $$, bodyOf, calls, click, fakeApi, mountPage, page, TREE } from '../../basic-data/__tests__/helpers'
import ArrearsPage from '../ArrearsPage.vue'

const JOB = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'
const MONEY = {
  not_yet_due: '0.00',
  days_0_30: '100.00',
  days_31_90: '0.00',
  days_91_180: '0.00',
  days_over_180: '0.00',
  overdue: '100.00',
  total: '100.00',
}
const line = (id: number, label: string) => ({
  ...MONEY,
  id,
  label,
  estate_id: 1,
  estate_name: '阳光花园',
  building_id: 1,
  building_name: '1栋',
  house_id: id,
  payer_name: '张三',
})

function backend() {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/billing/arrears/summary/': () =>
      jsonResponse({ ...MONEY, total: '200.00', as_of: '2026-03-01', group_by: 'house', lines: 2 }),
    'GET /api/v1/billing/arrears/': () => page([line(11, '1栋1单元101'), line(12, '1栋1单元102')]),
    'POST /api/v1/billing/arrears/reminders/': () => jsonResponse({ job: JOB }, 202),
    [`GET /api/v1/jobs/${JOB}/`]: () =>
      jsonResponse({
        id: JOB,
        kind: 'arrears.reminders',
        status: 'succeeded',
        progress: 1,
        total: 1,
        message: '',
        result: { sent: 1, already: 0, no_app_users: 0, nothing_owed: 0, houses: 1 },
        created_at: '2026-03-01T08:00:00+08:00',
        finished_at: '2026-03-01T08:00:01+08:00',
      }),
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('欠费 催缴提醒', () => {
  it('sends reminders to the ticked houses and shows the job through to its result', async () => {
    const all = backend()
    await mountPage(ArrearsPage, { path: '/fees/arrears', permissions: ['fees.view', 'fees.collect'] })
    expect($('arrears-remind')?.textContent).toContain('发送催缴提醒')
    const boxes = $$('.el-table__body .el-checkbox')
    expect(boxes).toHaveLength(2)
    boxes[0].click()
    await flushPromises()
    expect($('arrears-remind')?.textContent).toContain('（1 户）')

    await click('arrears-remind')
    await click('arrears-remind-confirm')
    const posted = calls(all, 'POST', '/api/v1/billing/arrears/reminders/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0])).toEqual({ houses: [11] })
    await vi.waitFor(() => expect($('arrears-remind-result')).not.toBeNull())
    expect($('arrears-remind-result')?.textContent).toContain('已发送 1 户')
    expect($('arrears-remind-result')?.textContent).toContain('无业主使用小程序 0 户')
  })

  it('with nothing ticked sends to the filter, and is not offered to those who only view', async () => {
    const all = backend()
    await mountPage(ArrearsPage, { path: '/fees/arrears', permissions: ['fees.view', 'fees.collect'] })
    await click('arrears-remind')
    await click('arrears-remind-confirm')
    expect(bodyOf(calls(all, 'POST', '/api/v1/billing/arrears/reminders/')[0])).toEqual({})
    document.body.innerHTML = ''

    backend()
    await mountPage(ArrearsPage, { path: '/fees/arrears', permissions: ['fees.view'] })
    expect($('arrears-remind')).toBeNull()
    expect($$('.el-table__body .el-checkbox')).toHaveLength(0)
  })
})
