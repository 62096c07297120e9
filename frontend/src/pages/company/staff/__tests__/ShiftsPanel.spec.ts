import type { VueWrapper } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  page,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import DepartmentsPanel from '@/pages/company/staff/DepartmentsPanel.vue'
import ShiftsPanel from '@/pages/company/staff/ShiftsPanel.vue'
import { jsonResponse } from '@/test/http'

const MANAGER = ['basic_data.view', 'staff.view', 'staff.manage']

const NIGHT = {
  id: 2,
  name: '夜班',
  start_time: '22:00',
  end_time: '06:00',
  late_grace_minutes: 10,
  early_leave_grace_minutes: 0,
  workdays: [1, 2, 3, 4, 5, 6, 7],
  crosses_midnight: true,
}

function setTime(wrapper: VueWrapper, testid: string, value: string) {
  const select = wrapper
    .findAllComponents({ name: 'ElTimeSelect' })
    .find((s) => s.attributes('data-testid') === testid)
  if (!select) throw new Error(`no time select ${testid}`)
  select.vm.$emit('update:modelValue', value)
}

describe('ShiftsPanel', () => {
  it('lists shifts with their hours, a night shift marked, and working days', async () => {
    fakeApi({ 'GET /api/v1/shifts/': () => page([NIGHT]) })
    await mountPage(ShiftsPanel, {
      path: '/basic-data/attendance?view=shifts',
      permissions: MANAGER,
    })
    const table = $('table')?.textContent ?? ''
    expect(table).toContain('22:00–06:00 (次日)')
    expect(table).toContain('周一、周二、周三、周四、周五、周六、周日')
  })

  it('refuses a shift that ends when it starts before asking the server', async () => {
    const all = fakeApi({
      'GET /api/v1/shifts/': () => page([]),
      'POST /api/v1/shifts/': () => jsonResponse({ ...NIGHT, id: 3, name: '早班' }, 201),
    })
    const { wrapper } = await mountPage(ShiftsPanel, {
      path: '/basic-data/attendance?view=shifts',
      permissions: MANAGER,
    })
    await click('shift-create')
    await type('shift-name', '早班')
    setTime(wrapper, 'shift-end', '09:00')
    await click('shift-dialog-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/shifts/')).toHaveLength(0)
    expect(fieldError('shift-name')).toBeNull()
    expect(wrapper.text() + document.body.textContent).toContain('下班时间不能与上班时间相同')

    setTime(wrapper, 'shift-start', '06:00')
    await settle()
    await click('shift-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/shifts/')[0])).toEqual({
      name: '早班',
      start_time: '06:00',
      end_time: '09:00',
      late_grace_minutes: 5,
      early_leave_grace_minutes: 5,
      workdays: [1, 2, 3, 4, 5],
    })
  })
})

describe('DepartmentsPanel', () => {
  it('creates a department under another and shows a duplicate name under its field', async () => {
    const all = fakeApi({
      'GET /api/v1/departments/': () =>
        page([
          { id: 3, name: '工程部', parent: null, parent_name: null, sort_order: 0, staff_count: 4 },
        ]),
      'GET /api/v1/posts/': () => page([]),
      'GET /api/v1/shifts/': () => page([]),
      'POST /api/v1/departments/': () =>
        jsonResponse(
          { code: 'invalid', message: '', fields: { name: ['同一上级部门下已有同名部门。'] } },
          400,
        ),
    })
    const { wrapper } = await mountPage(DepartmentsPanel, {
      path: '/basic-data/staff?view=departments',
      permissions: MANAGER,
    })
    expect($('table')?.textContent).toContain('工程部')
    await click('department-create')
    await type('department-name', '维修班')
    const parent = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((s) => s.attributes('data-testid') === 'department-parent')!
    parent.vm.$emit('update:modelValue', 3)
    await settle()
    await click('department-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/departments/')[0])).toEqual({
      name: '维修班',
      parent: 3,
      sort_order: 0,
    })
    expect(fieldError('department-name')).toBe('同一上级部门下已有同名部门。')
  })
})
