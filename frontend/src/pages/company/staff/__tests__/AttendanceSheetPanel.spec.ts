import { describe, expect, it } from 'vitest'

import {
  $,
  calls,
  fakeApi,
  mountPage,
  page,
  queryOf,
  settle,
} from '@/pages/company/basic-data/__tests__/helpers'
import AttendanceSheetPanel from '@/pages/company/staff/AttendanceSheetPanel.vue'
import PerformancePanel from '@/pages/company/staff/PerformancePanel.vue'

const VIEWER = ['basic_data.view', 'staff.view']

const ROW = {
  staff: 5,
  employee_no: 'WY0005',
  name: '孙保安',
  department_name: '秩序部',
  post_name: '秩序维护员',
  shift_name: '常白班',
  working_days: 21,
  days_worked: 9,
  late_count: 2,
  late_minutes: 35,
  early_leave_count: 1,
  absent_count: 3,
  missing_clock_in_count: 0,
  missing_clock_out_count: 1,
}

function backend() {
  return fakeApi({
    'GET /api/v1/departments/': () => page([]),
    'GET /api/v1/posts/': () => page([]),
    'GET /api/v1/shifts/': () => page([]),
    'GET /api/v1/attendance-sheet/': () => page([ROW]),
    'GET /api/v1/staff-performance/': () =>
      page([
        {
          staff: 5,
          employee_no: 'WY0005',
          name: '孙保安',
          department_name: '秩序部',
          post_name: null,
          work_orders_done: 12,
          rating_count: 4,
          average_rating: '4.75',
          sla_met: 11,
          sla_total: 12,
          sla_met_percent: '91.7',
        },
      ]),
  })
}

describe('AttendanceSheetPanel', () => {
  it("asks for this month's sheet and another month when picked", async () => {
    const all = backend()
    const { wrapper } = await mountPage(AttendanceSheetPanel, {
      path: '/basic-data/attendance',
      permissions: VIEWER,
    })
    const first = queryOf(calls(all, 'GET', '/api/v1/attendance-sheet/')[0])
    expect(first.month).toMatch(/^\d{4}-\d{2}$/)
    const table = $('table')?.textContent ?? ''
    expect(table).toContain('孙保安')
    expect(table).toContain('共 35 分钟')

    wrapper.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2026-10')
    await settle()
    expect(queryOf(calls(all, 'GET', '/api/v1/attendance-sheet/').at(-1)!)).toMatchObject({
      month: '2026-10',
      page: '1',
    })
  })
})

describe('PerformancePanel', () => {
  it('shows ratings and the on-time rate per staff member', async () => {
    backend()
    await mountPage(PerformancePanel, { path: '/basic-data/performance', permissions: VIEWER })
    const table = $('table')?.textContent ?? ''
    expect(table).toContain('4.75（4 条评价）')
    expect(table).toContain('91.7%（11/12）')
  })
})
