import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import type { SignupStatus } from '@/api/types'
import { $, calls, click, fakeApi, type } from '@/pages/company/basic-data/__tests__/helpers'
import SignupPage from '@/pages/public/SignupPage.vue'
import { createAppRouter } from '@/router'
import { jsonResponse } from '@/test/http'

const ID = '6f1c2a9e-0000-4000-8000-000000000001'
const STATUS_PATH = `/api/v1/signups/${ID}/`

const signup = (over: Partial<SignupStatus>): SignupStatus => ({
  id: ID,
  slug: 'acme',
  company_name: '顶好物业',
  status: 'pending',
  error: '',
  admin_url: null,
  status_url: STATUS_PATH,
  created_at: '2026-03-01T02:00:00Z',
  finished_at: null,
  ...over,
})

async function mountSignup() {
  document.cookie = 'csrftoken=test-token' // the POST reads its CSRF token here
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter('public', createMemoryHistory())
  await router.push('/signup')
  const wrapper = mount(SignupPage, {
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  })
  await flushPromises()
  return wrapper
}

async function fillAndSubmit() {
  await type('signup-company-name', '顶好物业')
  await type('signup-slug', 'acme')
  await type('signup-admin-name', '王经理')
  await type('signup-admin-phone', '13800138000')
  await type('signup-admin-email', 'wang@example.com')
  await type('signup-admin-username', 'wangwu')
  await type('signup-password', 'Secret123456')
  await click('signup-submit')
}

const status = () => $('signup-status')?.dataset.status

describe('SignupPage', () => {
  it('shows the admin address once there is a subdomain, and no English before', async () => {
    await mountSignup()
    expect($('signup-slug-preview')?.textContent?.trim()).toBe(
      '填写子域名后，这里显示您的管理后台地址',
    )
    await type('signup-slug', 'acme')
    expect($('signup-slug-preview')?.textContent).toContain('acme.')
  })

  it('follows the provisioning until the company is ready, then stops', async () => {
    vi.useFakeTimers()
    const answers = [
      signup({ status: 'provisioning' }),
      signup({ status: 'ready', admin_url: 'http://acme.localhost:8000/' }),
    ]
    const all = fakeApi({
      'POST /api/v1/signups/': () => jsonResponse(signup({}), 202),
      [`GET ${STATUS_PATH}`]: () => jsonResponse(answers.length > 1 ? answers.shift() : answers[0]),
    })
    await mountSignup()
    await fillAndSubmit()
    expect(calls(all, 'POST', '/api/v1/signups/')).toHaveLength(1)
    expect(status()).toBe('pending')

    await vi.advanceTimersByTimeAsync(300)
    expect(status()).toBe('provisioning')
    await vi.advanceTimersByTimeAsync(300)
    expect(status()).toBe('ready')
    expect($('signup-admin-link')?.getAttribute('href')).toBe('http://acme.localhost:8000/')
    // The username the founder chose, not the `admin` every company once had.
    expect($('signup-status')?.textContent).toContain('用户名 wangwu')

    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls(all, 'GET', STATUS_PATH)).toHaveLength(2)
  })

  it('shows a failed poll and tries again, more slowly', async () => {
    vi.useFakeTimers()
    let reads = 0
    const all = fakeApi({
      'POST /api/v1/signups/': () => jsonResponse(signup({}), 202),
      [`GET ${STATUS_PATH}`]: () =>
        ++reads === 1
          ? jsonResponse({ code: 'server_error', message: '暂时不可用', fields: {} }, 503)
          : jsonResponse(signup({ status: 'failed', error: '开通失败。' })),
    })
    await mountSignup()
    await fillAndSubmit()
    await vi.advanceTimersByTimeAsync(300)
    expect(document.body.textContent).toContain('暂时不可用')
    await vi.advanceTimersByTimeAsync(300)
    expect(calls(all, 'GET', STATUS_PATH)).toHaveLength(1) // backing off after the failure
    await vi.advanceTimersByTimeAsync(300)
    expect(status()).toBe('failed')
    expect($('signup-failure')?.textContent).toContain('开通失败。')
    expect(document.body.textContent).not.toContain('暂时不可用')
  })

  it('stops polling when the page goes away', async () => {
    vi.useFakeTimers()
    const all = fakeApi({
      'POST /api/v1/signups/': () => jsonResponse(signup({}), 202),
      [`GET ${STATUS_PATH}`]: () => jsonResponse(signup({ status: 'provisioning' })),
    })
    const wrapper = await mountSignup()
    await fillAndSubmit()
    await vi.advanceTimersByTimeAsync(300)
    expect(calls(all, 'GET', STATUS_PATH)).toHaveLength(1)
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls(all, 'GET', STATUS_PATH)).toHaveLength(1)
  })
})
