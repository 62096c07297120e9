import { afterEach, describe, expect, it } from 'vitest'

import type { StaffUser } from '@/api/types'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
} from '@/pages/company/basic-data/__tests__/helpers'
import StaffPage from '@/pages/company/settings/StaffPage.vue'
import { jsonResponse } from '@/test/http'

const NEWBIE: StaffUser = {
  id: 7,
  username: 'newbie',
  name: '新人',
  email: '',
  phone_masked: '135****3333',
  roles: ['guard'],
  is_active: true,
  last_login: null,
  date_joined: '2026-12-01T02:00:00Z',
  has_password: false,
  must_change_password: false,
}

afterEach(() => {
  document.body.innerHTML = ''
})

async function openNewbie() {
  const all = fakeApi({
    'GET /api/v1/users/': () => page([NEWBIE]),
    'POST /api/v1/users/7/reset-password/': () =>
      jsonResponse({ mode: 'temporary', temporary_password: 'Abc234defGh5' }),
    'POST /api/v1/users/7/invite/': () =>
      jsonResponse({ channel: 'sms', expires_at: '2026-12-04T02:00:00Z' }),
  })
  const mounted = await mountPage(StaffPage, {
    path: '/settings/staff',
    permissions: ['users.manage', 'settings.manage'],
    modules: ['settings', 'basic_data'],
  })
  ;(document.body.querySelector('.el-table__row') as HTMLElement).click()
  await click('staff-page') // let the drawer open
  return { all, ...mounted }
}

describe('StaffPage (系统设置 › 员工账号)', () => {
  it('says where profiles live, and shows an account without a password', async () => {
    await openNewbie()
    expect($('staff-profiles-link')?.getAttribute('href')).toBe('/basic-data/staff')
    expect(document.body.textContent).toContain('未设置密码')
  })

  it('resets to a temporary password shown once', async () => {
    const { all } = await openNewbie()
    await click('staff-reset-temporary')
    await click('staff-reset-temporary-confirm')
    expect(bodyOf(calls(all, 'POST', '/api/v1/users/7/reset-password/')[0])).toEqual({
      mode: 'temporary',
    })
    expect($('staff-temporary-password')?.textContent).toBe('Abc234defGh5')
  })

  it('sends the invitation to an account without a password', async () => {
    const { all } = await openNewbie()
    await click('staff-invite')
    await click('staff-invite-confirm')
    expect(calls(all, 'POST', '/api/v1/users/7/invite/')).toHaveLength(1)
  })
})
