import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  settle,
} from '@/pages/company/basic-data/__tests__/helpers'
import RosterPanel from '@/pages/company/staff/RosterPanel.vue'
import { jsonResponse } from '@/test/http'

const VIEWER = ['basic_data.view', 'staff.view']
const MANAGER = [...VIEWER, 'staff.manage']
const PATH = '/basic-data/attendance?view=roster'

const DAY = {
  id: 1,
  name: '常白班',
  start_time: '09:00',
  end_time: '18:00',
  late_grace_minutes: 5,
  early_leave_grace_minutes: 5,
  workdays: [1, 2, 3, 4, 5],
  crosses_midnight: false,
}
const NIGHT = {
  ...DAY,
  id: 2,
  name: '夜班',
  start_time: '22:00',
  end_time: '06:00',
  workdays: [1, 2, 3, 4, 5, 6, 7],
  crosses_midnight: true,
}

const profile = (id: number, name: string, shift: typeof DAY | null) => ({
  id,
  user_id: id + 100,
  username: `u${id}`,
  name,
  phone_masked: '',
  roles: ['guard'],
  account_active: true,
  employee_no: `WY000${id}`,
  department: 3,
  department_name: '秩序部',
  post: null,
  post_name: null,
  shift: shift?.id ?? null,
  shift_name: shift?.name ?? null,
  hire_date: null,
  on_duty: false,
  active: true,
})

// Week of Monday 2026-11-02: 孙保安 works nights on Tuesday and has Wednesday off.
const ENTRIES = [
  { id: 31, staff: 5, name: '孙保安', date: '2026-11-03', shift: 2, shift_name: '夜班' },
  { id: 32, staff: 5, name: '孙保安', date: '2026-11-04', shift: null, shift_name: null },
]

function backend() {
  return fakeApi({
    'GET /api/v1/departments/': () =>
      page([{ id: 3, name: '秩序部', parent: null, parent_name: null, sort_order: 0 }]),
    'GET /api/v1/posts/': () => page([]),
    'GET /api/v1/shifts/': () => page([DAY, NIGHT]),
    'GET /api/v1/staff-profiles/': () =>
      page([profile(5, '孙保安', DAY), profile(6, '李维修', null)]),
    'GET /api/v1/roster/': (_call, query) =>
      page(query.get('date_from') === '2026-11-02' ? ENTRIES : []),
    'POST /api/v1/roster/': (call) => {
      const body = JSON.parse(String(call.body)) as { staff: number; date: string; shift: number }
      const name = body.shift === 2 ? '夜班' : body.shift === 1 ? '常白班' : null
      return jsonResponse({ id: 40, name: '', shift_name: name, ...body }, 201)
    },
    'DELETE /api/v1/roster/31/': () => jsonResponse(null, 204),
  })
}

const cell = (staff: number, date: string) => $(`roster-cell-${staff}-${date}`)!

describe('RosterPanel', () => {
  beforeEach(() => {
    // Only the clock: Wednesday 2026-11-04 in Beijing. Timers stay real for Element Plus.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-04T10:00:00+08:00'))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows default shifts on their working days, overrides marked, and days off', async () => {
    const all = backend()
    await mountPage(RosterPanel, { path: PATH, permissions: VIEWER })

    expect(queryOf(calls(all, 'GET', '/api/v1/roster/')[0])).toMatchObject({
      date_from: '2026-11-02',
      date_to: '2026-11-08',
    })
    expect(queryOf(calls(all, 'GET', '/api/v1/staff-profiles/')[0])).toMatchObject({
      active: 'true',
    })
    expect($('roster-week')?.textContent).toContain('11-02 周一')

    expect(cell(5, '2026-11-02').textContent).toContain('常白班')
    expect(cell(5, '2026-11-02').textContent).toContain('09:00–18:00')
    expect(cell(5, '2026-11-02').dataset.override).toBe('false')
    expect(cell(5, '2026-11-03').textContent).toContain('夜班')
    expect(cell(5, '2026-11-03').dataset.override).toBe('true')
    expect(cell(5, '2026-11-04').textContent?.trim()).toBe('休息')
    expect(cell(5, '2026-11-04').dataset.override).toBe('true')
    // Saturday is not a working day of 常白班.
    expect(cell(5, '2026-11-07').textContent?.trim()).toBe('休息')
    expect(cell(5, '2026-11-07').dataset.override).toBe('false')
    // No default shift: no working days.
    expect(cell(6, '2026-11-02').textContent?.trim()).toBe('休息')
  })

  it('asks for the dates of the week on screen, and staff of the department picked', async () => {
    const all = backend()
    const { wrapper } = await mountPage(RosterPanel, { path: PATH, permissions: VIEWER })

    await click('roster-next')
    await settle()
    expect(queryOf(calls(all, 'GET', '/api/v1/roster/').at(-1)!)).toMatchObject({
      date_from: '2026-11-09',
      date_to: '2026-11-15',
    })
    expect($('roster-cell-5-2026-11-09')).not.toBeNull()
    // Nothing overridden that week: Tuesday is the default again.
    expect(cell(5, '2026-11-10').dataset.override).toBe('false')

    await click('roster-prev')
    await click('roster-prev')
    await settle()
    expect(queryOf(calls(all, 'GET', '/api/v1/roster/').at(-1)!)).toMatchObject({
      date_from: '2026-10-26',
      date_to: '2026-11-01',
    })

    wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((s) => s.attributes('data-testid') === 'roster-department')!
      .vm.$emit('update:modelValue', 3)
    await settle()
    expect(queryOf(calls(all, 'GET', '/api/v1/staff-profiles/').at(-1)!)).toMatchObject({
      department: '3',
      active: 'true',
      page: '1',
    })
  })

  it('sets a shift or a day off for one date', async () => {
    const all = backend()
    await mountPage(RosterPanel, { path: PATH, permissions: MANAGER })

    cell(5, '2026-11-05').click()
    await settle()
    expect($('roster-pick')).not.toBeNull()
    await click('roster-pick-2')
    await click('roster-save')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/roster/')[0])).toEqual({
      staff: 5,
      date: '2026-11-05',
      shift: 2,
    })
    expect(cell(5, '2026-11-05').textContent).toContain('夜班')
    expect(cell(5, '2026-11-05').dataset.override).toBe('true')

    cell(6, '2026-11-06').click()
    await settle()
    await click('roster-pick-off')
    await click('roster-save')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/roster/')[1])).toEqual({
      staff: 6,
      date: '2026-11-06',
      shift: null,
    })
    expect(cell(6, '2026-11-06').dataset.override).toBe('true')
  })

  it('clears an override back to the default shift', async () => {
    const all = backend()
    await mountPage(RosterPanel, { path: PATH, permissions: MANAGER })

    cell(5, '2026-11-03').click()
    await settle()
    expect($('roster-pick-default')?.textContent).toContain('恢复默认（常白班）')
    await click('roster-pick-default')
    await click('roster-save')
    await settle()
    expect(calls(all, 'DELETE', '/api/v1/roster/31/')).toHaveLength(1)
    expect(calls(all, 'POST', '/api/v1/roster/')).toHaveLength(0)
    expect(cell(5, '2026-11-03').textContent).toContain('常白班')
    expect(cell(5, '2026-11-03').dataset.override).toBe('false')
  })

  it('is read-only without staff.manage', async () => {
    const all = backend()
    await mountPage(RosterPanel, { path: PATH, permissions: VIEWER })

    expect(cell(5, '2026-11-03').getAttribute('role')).toBeNull()
    cell(5, '2026-11-03').click()
    await settle()
    expect($('roster-pick')).toBeNull()
    expect($('roster-save')).toBeNull()
    expect(calls(all, 'POST', '/api/v1/roster/')).toHaveLength(0)
    expect(calls(all, 'DELETE', '/api/v1/roster/31/')).toHaveLength(0)
  })
})
