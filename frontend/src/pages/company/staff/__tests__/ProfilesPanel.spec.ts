import { describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'

import type { StaffProfile } from '@/api/staff'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  page,
  queryOf,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import ProfilesPanel from '@/pages/company/staff/ProfilesPanel.vue'
import { jsonResponse } from '@/test/http'

const MANAGER = ['basic_data.view', 'staff.view', 'staff.manage', 'staff.clock']

const SUN: StaffProfile = {
  id: 5,
  user_id: 9,
  username: 'guard',
  name: '孙保安',
  phone_masked: '138****0005',
  roles: ['guard'],
  account_active: true,
  employee_no: 'WY0005',
  department: 3,
  department_name: '秩序部',
  post: 4,
  post_name: '秩序维护员',
  shift: 1,
  shift_name: '常白班',
  hire_date: '2024-03-01',
  on_duty: false,
  active: true,
  created_at: '2024-03-01T01:00:00Z',
}

function backend(over: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/departments/': () =>
      page([
        { id: 3, name: '秩序部', parent: null, parent_name: null, sort_order: 0, staff_count: 1 },
      ]),
    'GET /api/v1/posts/': () =>
      page([{ id: 4, name: '秩序维护员', description: '', staff_count: 1 }]),
    'GET /api/v1/shifts/': () =>
      page([
        {
          id: 1,
          name: '常白班',
          start_time: '09:00',
          end_time: '18:00',
          late_grace_minutes: 5,
          early_leave_grace_minutes: 5,
          workdays: [1, 2, 3, 4, 5],
          crosses_midnight: false,
        },
      ]),
    'GET /api/v1/staff-profiles/': () => page([SUN]),
    'GET /api/v1/staff-profiles/candidates/': () => jsonResponse([]),
    ...over,
  })
}

function pickIn(wrapper: VueWrapper, testid: string, value: unknown) {
  const select = wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find((s) => s.attributes('data-testid') === testid)
  if (!select) throw new Error(`no select ${testid}`)
  select.vm.$emit('update:modelValue', value)
  select.vm.$emit('change', value)
}

describe('ProfilesPanel', () => {
  it('lists staff with their department, post and duty, filtered on the server', async () => {
    const all = backend()
    const { wrapper } = await mountPage(ProfilesPanel, {
      path: '/basic-data/staff',
      permissions: MANAGER,
    })
    const table = $('table')?.textContent ?? ''
    expect(table).toContain('WY0005')
    expect(table).toContain('孙保安')
    expect(table).toContain('秩序部')
    expect(table).toContain('常白班')

    pickIn(wrapper, 'filter-department', 3)
    await settle()
    expect(queryOf(calls(all, 'GET', '/api/v1/staff-profiles/').at(-1)!)).toMatchObject({
      department: '3',
      page: '1',
    })
  })

  it('puts someone on duty', async () => {
    const all = backend({
      'POST /api/v1/staff-profiles/5/duty/': () => jsonResponse({ ...SUN, on_duty: true }),
    })
    await mountPage(ProfilesPanel, { path: '/basic-data/staff', permissions: MANAGER })
    await click('profile-duty-5')
    expect(bodyOf(calls(all, 'POST', '/api/v1/staff-profiles/5/duty/')[0])).toEqual({
      on_duty: true,
    })
  })

  it('creates a staff member with a new account and shows the server’s field errors', async () => {
    let fail = true
    const all = backend({
      'POST /api/v1/staff-profiles/': () =>
        fail
          ? jsonResponse(
              {
                code: 'invalid',
                message: '工号已被使用。',
                fields: { employee_no: ['工号已被使用。'] },
              },
              400,
            )
          : jsonResponse({ ...SUN, id: 6, name: '钱保安', employee_no: 'WY0006' }, 201),
    })
    const { wrapper } = await mountPage(ProfilesPanel, {
      path: '/basic-data/staff',
      permissions: MANAGER,
    })
    await click('profile-create')
    await type('profile-username', 'guard9')
    await type('profile-name', '钱保安')
    pickIn(wrapper, 'profile-roles', ['guard'])
    await type('profile-phone', '13700001234')
    await type('profile-employee-no', 'WY0005')
    pickIn(wrapper, 'profile-department', 3)
    await settle()
    await click('profile-dialog-submit')
    await settle()

    const posted = calls(all, 'POST', '/api/v1/staff-profiles/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0])).toEqual({
      username: 'guard9',
      name: '钱保安',
      roles: ['guard'],
      phone: '13700001234',
      employee_no: 'WY0005',
      department: 3,
      post: null,
      shift: null,
      hire_date: null,
    })
    expect(fieldError('profile-employee-no')).toBe('工号已被使用。')

    fail = false
    await type('profile-employee-no', 'WY0006')
    await click('profile-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/staff-profiles/')[1]).employee_no).toBe('WY0006')
    expect(calls(all, 'GET', '/api/v1/staff-profiles/').length).toBeGreaterThan(1)
  })

  it('checks the form before sending anything', async () => {
    const all = backend()
    await mountPage(ProfilesPanel, { path: '/basic-data/staff', permissions: MANAGER })
    await click('profile-create')
    await type('profile-phone', '12345')
    await click('profile-dialog-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/staff-profiles/')).toHaveLength(0)
    expect(fieldError('profile-username')).toContain('登录用户名')
    expect(fieldError('profile-phone')).toBe('请输入有效的中国大陆手机号')
  })

  it('offers no writes to someone who may only look', async () => {
    backend()
    await mountPage(ProfilesPanel, {
      path: '/basic-data/staff',
      permissions: ['basic_data.view', 'staff.view'],
    })
    expect($('profile-create')).toBeNull()
    expect($('profile-edit-5')).toBeNull()
  })
})
