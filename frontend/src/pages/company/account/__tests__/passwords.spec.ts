import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import type { Me } from '@/api/types'
import ChangePasswordPage from '@/pages/company/account/ChangePasswordPage.vue'
import ForgotPasswordPage from '@/pages/company/account/ForgotPasswordPage.vue'
import SetPasswordPage from '@/pages/company/account/SetPasswordPage.vue'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import LoginPage from '@/pages/company/LoginPage.vue'
import { createAppRouter } from '@/router'
import { useAuthStore } from '@/stores/auth'
import { jsonResponse } from '@/test/http'

const ME: Me = {
  id: 3,
  username: 'keeper',
  phone_masked: '135****3333',
  name: '管家',
  roles: ['customer_service'],
  permissions: [],
  modules: [],
  must_change_password: true,
}

async function mountAt(component: object, path: string, me: Me | null = null) {
  document.cookie = 'csrftoken=test-token'
  const pinia = createPinia()
  setActivePinia(pinia)
  if (me) {
    const auth = useAuthStore()
    auth.me = me
    auth.checked = true
  }
  const router = createAppRouter('company', createMemoryHistory())
  await router.push(path)
  const wrapper = mount(component, {
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, router }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('LoginPage', () => {
  it('links to 忘记密码', async () => {
    fakeApi({ 'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: false }) })
    const { router } = await mountAt(LoginPage, '/login')
    await click('login-forgot')
    expect(router.currentRoute.value.name).toBe('forgot-password')
  })
})

describe('ForgotPasswordPage', () => {
  it('asks for a code, then sets the new password with it', async () => {
    const all = fakeApi({
      'POST /api/v1/auth/password/forgot/': () => jsonResponse({ sent: true }),
      'POST /api/v1/auth/password/reset/': () => jsonResponse({ username: 'keeper' }),
    })
    await mountAt(ForgotPasswordPage, '/forgot-password')
    await type('forgot-login', '13522223333')
    await click('forgot-send')
    expect(bodyOf(calls(all, 'POST', '/api/v1/auth/password/forgot/')[0])).toEqual({
      login: '13522223333',
    })
    // The same words whether or not the account exists: the server said nothing more.
    expect($('forgot-sent')?.textContent).toContain('如果该账号存在')
    await type('forgot-code', '123456')
    await type('forgot-new-password', 'New-pass-2027')
    await type('forgot-confirm', 'New-pass-2027')
    await click('forgot-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/auth/password/reset/')[0])).toEqual({
      login: '13522223333',
      code: '123456',
      new_password: 'New-pass-2027',
    })
    expect($('forgot-done')).not.toBeNull()
  })

  it('shows a wrong or expired code under the form and stays on the step', async () => {
    fakeApi({
      'POST /api/v1/auth/password/forgot/': () => jsonResponse({ sent: true }),
      'POST /api/v1/auth/password/reset/': () =>
        jsonResponse(
          {
            code: 'invalid_code',
            message: '验证码错误或已过期。',
            fields: { code: ['验证码错误或已过期。'] },
          },
          400,
        ),
    })
    await mountAt(ForgotPasswordPage, '/forgot-password')
    await type('forgot-login', 'keeper')
    await click('forgot-send')
    await type('forgot-code', '000000')
    await type('forgot-new-password', 'New-pass-2027')
    await type('forgot-confirm', 'New-pass-2027')
    await click('forgot-submit')
    await settle()
    expect(document.body.textContent).toContain('验证码错误或已过期。')
    expect($('forgot-done')).toBeNull()
  })

  it('refuses two different new passwords before asking the server', async () => {
    const all = fakeApi({
      'POST /api/v1/auth/password/forgot/': () => jsonResponse({ sent: true }),
    })
    await mountAt(ForgotPasswordPage, '/forgot-password')
    await type('forgot-login', 'keeper')
    await click('forgot-send')
    await type('forgot-code', '123456')
    await type('forgot-new-password', 'New-pass-2027')
    await type('forgot-confirm', 'Other-pass-2027')
    await click('forgot-submit')
    await settle()
    expect(document.body.textContent).toContain('两次输入的密码不一致')
    expect(calls(all, 'POST', '/api/v1/auth/password/reset/')).toHaveLength(0)
  })
})

describe('ChangePasswordPage', () => {
  it('tells a user whose password was reset to choose one, and clears the flag', async () => {
    const all = fakeApi({
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: true }),
      'GET /api/v1/me/': () => jsonResponse(ME),
      'POST /api/v1/me/password/': () => jsonResponse({ ...ME, must_change_password: false }),
      'GET /api/v1/dashboard/': () => jsonResponse({}),
    })
    const { router } = await mountAt(ChangePasswordPage, '/change-password', ME)
    expect($('change-password-required')).not.toBeNull()
    await type('change-password-current', 'Temp-pass-123')
    await type('change-password-new', 'New-pass-2027')
    await type('change-password-confirm', 'New-pass-2027')
    await click('change-password-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/me/password/')[0])).toEqual({
      current_password: 'Temp-pass-123',
      new_password: 'New-pass-2027',
    })
    expect(useAuthStore().me?.must_change_password).toBe(false)
    // the dashboard is a lazy route: its module may take a while to load on a busy machine
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('dashboard'), {
      timeout: 10_000,
    })
  })

  it('shows a wrong current password as its field error', async () => {
    fakeApi({
      'POST /api/v1/me/password/': () =>
        jsonResponse(
          {
            code: 'wrong_password',
            message: '当前密码错误。',
            fields: { current_password: ['当前密码错误。'] },
          },
          400,
        ),
    })
    await mountAt(ChangePasswordPage, '/change-password', { ...ME, must_change_password: false })
    expect($('change-password-required')).toBeNull()
    await type('change-password-current', 'nope')
    await type('change-password-new', 'New-pass-2027')
    await type('change-password-confirm', 'New-pass-2027')
    await click('change-password-submit')
    await settle()
    expect(document.body.textContent).toContain('当前密码错误。')
  })
})

describe('must change password', () => {
  it('routes every page to 修改密码 until the password is changed', async () => {
    fakeApi({
      'GET /api/v1/auth/session/': () => jsonResponse({ authenticated: true }),
      'GET /api/v1/me/': () => jsonResponse(ME),
    })
    setActivePinia(createPinia())
    const router = createAppRouter('company', createMemoryHistory())
    await router.push('/settings/staff')
    expect(router.currentRoute.value.name).toBe('change-password')
  })
})

describe('SetPasswordPage', () => {
  it('sets the password from the invitation link', async () => {
    const all = fakeApi({
      'POST /api/v1/auth/password/invitation/': () => jsonResponse({ username: 'newbie' }),
    })
    await mountAt(SetPasswordPage, '/set-password?token=abc_DEF-123')
    await type('set-password-new', 'New-pass-2027')
    await type('set-password-confirm', 'New-pass-2027')
    await click('set-password-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/auth/password/invitation/')[0])).toEqual({
      token: 'abc_DEF-123',
      new_password: 'New-pass-2027',
    })
    expect($('set-password-done')?.textContent).toContain('newbie')
  })
})
