import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import type { Me } from '@/api/types'
import { createAppRouter } from '@/router'
import { jsonResponse, mockFetch } from '@/test/http'

const guard: Me = {
  id: 2,
  username: 'guard1',
  phone_masked: '138****0000',
  name: '保安小李',
  roles: ['guard'],
  permissions: [],
  modules: ['security'],
  must_change_password: false,
}

function routerFor(me: Me | null) {
  mockFetch((call) =>
    call.url === '/api/v1/auth/session/'
      ? jsonResponse({ authenticated: me !== null })
      : me
        ? jsonResponse(me)
        : jsonResponse({ code: 'not_authenticated', message: '', fields: {} }, 401),
  )
  return createAppRouter('company', createMemoryHistory())
}

beforeEach(() => setActivePinia(createPinia()))

describe('company route guard', () => {
  it('sends anonymous users to login, remembering where they were going', async () => {
    const router = routerFor(null)
    await router.push('/fees')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/fees')
  })

  it('lets a user into the modules they have', async () => {
    const router = routerFor(guard)
    await router.push('/security')
    expect(router.currentRoute.value.name).toBe('security')
  })

  it('shows the 403 page for modules the user lacks, nested routes included', async () => {
    const router = routerFor(guard)
    await router.push('/fees')
    expect(router.currentRoute.value.name).toBe('forbidden')
    expect(router.currentRoute.value.query.from).toBe('/fees')

    await router.push('/settings/staff')
    expect(router.currentRoute.value.name).toBe('forbidden')
  })

  it('sends a signed-in user away from the login page', async () => {
    const router = routerFor(guard)
    await router.push('/login')
    expect(router.currentRoute.value.name).toBe('dashboard')
  })

  it('serves the public pages on the public host', async () => {
    mockFetch(() => jsonResponse({}))
    const router = createAppRouter('public', createMemoryHistory())
    await router.push('/signup')
    expect(router.currentRoute.value.name).toBe('signup')
    await router.push('/login')
    expect(router.currentRoute.value.name).toBe('login-redirect')
  })
})
