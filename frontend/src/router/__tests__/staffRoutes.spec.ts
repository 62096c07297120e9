import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import type { Me } from '@/api/types'
import { createAppRouter } from '@/router'
import { jsonResponse, mockFetch } from '@/test/http'

const cashier: Me = {
  id: 3,
  username: 'cashier',
  phone_masked: '138****0000',
  name: '李收银',
  roles: ['cashier'],
  permissions: ['basic_data.view', 'fees.view', 'staff.clock'],
  modules: ['basic_data', 'fees'],
  must_change_password: false,
}
const admin: Me = {
  ...cashier,
  roles: ['admin'],
  permissions: ['basic_data.view', 'staff.view', 'staff.manage', 'staff.clock'],
}

function routerFor(me: Me) {
  setActivePinia(createPinia())
  mockFetch((call) =>
    jsonResponse(call.url === '/api/v1/auth/session/' ? { authenticated: true } : me),
  )
  return createAppRouter('company', createMemoryHistory())
}

describe('staff routes', () => {
  it('lets every staff member open the clock page', async () => {
    const router = routerFor(cashier)
    await router.push('/clock')
    expect(router.currentRoute.value.name).toBe('clock')
  })

  it('keeps staff management for managers, even inside a module the user has', async () => {
    const router = routerFor(cashier)
    for (const path of ['/basic-data/staff', '/basic-data/attendance', '/basic-data/performance']) {
      await router.push(path)
      expect(router.currentRoute.value.name, path).toBe('forbidden')
    }
    const managers = routerFor(admin)
    await managers.push('/basic-data/attendance?view=records')
    expect(managers.currentRoute.value.name).toBe('basic-data-attendance')
  })

  it('refuses the clock page to an account without the clock permission', async () => {
    const router = routerFor({ ...cashier, permissions: ['basic_data.view'] })
    await router.push('/clock')
    expect(router.currentRoute.value.name).toBe('forbidden')
  })
})
