import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import type { Me } from '@/api/types'
import { calls, fakeApi } from '@/pages/company/basic-data/__tests__/helpers'
import { useAuthStore } from '@/stores/auth'
import { jsonResponse } from '@/test/http'

const ME: Me = {
  id: 1,
  username: 'admin',
  phone_masked: '138****0000',
  name: '管理员',
  roles: ['admin'],
  permissions: ['dashboard.view'],
  modules: [],
  must_change_password: false,
}

const NOT_SIGNED_IN = () =>
  jsonResponse({ code: 'not_authenticated', message: '', fields: {} }, 401)

beforeEach(() => setActivePinia(createPinia()))

describe('auth store: am I signed in?', () => {
  it('asks only auth/session for an anonymous visitor: no call that answers 401', async () => {
    const all = fakeApi({
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: false }),
      'GET /api/v1/me/': NOT_SIGNED_IN,
    })
    const auth = useAuthStore()
    expect(await auth.ensureLoaded()).toBeNull()
    expect(auth.checked).toBe(true)
    expect(calls(all, 'GET', '/api/v1/me/')).toHaveLength(0)
    // asked once per page load
    await auth.ensureLoaded()
    expect(calls(all, 'GET', '/api/v1/auth/session/')).toHaveLength(1)
  })

  it('loads me when the session says someone is signed in', async () => {
    const all = fakeApi({
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: true }),
      'GET /api/v1/me/': () => jsonResponse(ME),
    })
    const auth = useAuthStore()
    expect((await auth.ensureLoaded())?.username).toBe('admin')
    expect(auth.isAuthenticated).toBe(true)
    expect(calls(all, 'GET', '/api/v1/me/')).toHaveLength(1)
  })

  it('takes a 401 from me (the session ended in between) as not signed in', async () => {
    fakeApi({
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: true }),
      'GET /api/v1/me/': NOT_SIGNED_IN,
    })
    const auth = useAuthStore()
    expect(await auth.ensureLoaded()).toBeNull()
    expect(auth.isAuthenticated).toBe(false)
  })

  it('does not swallow a server error', async () => {
    fakeApi({
      'GET /api/v1/auth/session/': () =>
        jsonResponse({ code: 'server_error', message: '', fields: {} }, 500),
    })
    await expect(useAuthStore().ensureLoaded()).rejects.toBeTruthy()
  })
})
