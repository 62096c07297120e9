import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import type { Component } from 'vue'

import type { Me } from '@/api/types'
import { createAppRouter } from '@/router'
import { useAuthStore } from '@/stores/auth'
import { jsonResponse, mockFetch, type MockCall } from '@/test/http'

export const VIEW = ['basic_data.view']
export const MANAGE = ['basic_data.view', 'basic_data.manage']
export const ADMIN = ['basic_data.view', 'basic_data.manage', 'pii.reveal']

export const page = (results: unknown[], count = results.length) =>
  jsonResponse({ count, next: null, previous: null, results })

type Handler = (call: MockCall, query: URLSearchParams) => Response | Promise<Response>

/**
 * A fake backend: `'GET /api/v1/houses/'` → handler. Paths match without the query string;
 * a request nobody answers fails the test loudly with a 599.
 */
export function fakeApi(routes: Record<string, Handler>) {
  return mockFetch((call) => {
    const url = new URL(call.url, 'http://test.local')
    const handler = routes[`${call.method} ${url.pathname}`]
    if (!handler) {
      return jsonResponse({ code: 'unexpected', message: `${call.method} ${url.pathname}` }, 599)
    }
    return handler(call, url.searchParams)
  })
}

export const bodyOf = (call: MockCall) => JSON.parse(String(call.body)) as Record<string, unknown>

export const calls = (all: MockCall[], method: string, path: string) =>
  all.filter((c) => c.method === method && new URL(c.url, 'http://test.local').pathname === path)

export const queryOf = (call: MockCall) =>
  Object.fromEntries(new URL(call.url, 'http://test.local').searchParams)

export function signIn(permissions: string[], modules: Me['modules'] = ['basic_data']) {
  // Unsafe requests read the CSRF token from this cookie rather than asking the server.
  document.cookie = 'csrftoken=test-token'
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  const me: Me = {
    id: 1,
    username: 'staff',
    phone_masked: '138****0000',
    name: '客服小王',
    roles: ['customer_service'],
    permissions,
    modules,
    must_change_password: false,
  }
  auth.me = me
  auth.checked = true
  return pinia
}

/** Mount a page at `path` with the app's router and a user holding `permissions`. */
export async function mountPage(
  component: Component,
  {
    path,
    permissions = MANAGE,
    props = {},
    modules,
  }: { path: string; permissions?: string[]; props?: Record<string, unknown>; modules?: Me['modules'] },
) {
  const pinia = signIn(permissions, modules)
  const router = createAppRouter('company', createMemoryHistory())
  await router.push(path)
  const wrapper = mount(component, {
    props,
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, router }
}

export const $ = (testid: string) =>
  document.body.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null

export const $$ = (selector: string) => [...document.body.querySelectorAll<HTMLElement>(selector)]

export async function click(testid: string) {
  const el = $(testid)
  if (!el) throw new Error(`no [data-testid="${testid}"]`)
  el.click()
  await flushPromises()
  // Popovers open on a zero-delay timer: let it run before the next step looks for them.
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(10)
  else await new Promise((resolve) => setTimeout(resolve, 10))
  await flushPromises()
}

/** Type into an el-input (its data-testid lands on the native input). */
export async function type(testid: string, value: string) {
  const el = $(testid) as HTMLInputElement | null
  if (!el) throw new Error(`no [data-testid="${testid}"]`)
  el.value = value
  el.dispatchEvent(new Event('input'))
  el.dispatchEvent(new Event('change'))
  await flushPromises()
}

/** Element Plus shows a form item's error after a short debounce. */
export const settle = async () => {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 150))
  await flushPromises()
}

/** The error shown under the form item holding the element with `testid`. */
export function fieldError(testid: string): string | null {
  const item = $(testid)?.closest('.el-form-item')
  return item?.querySelector('.el-form-item__error')?.textContent?.trim() ?? null
}

export const TREE = [
  {
    id: 1,
    name: '阳光花园',
    house_count: 40,
    buildings: [
      {
        id: 3,
        name: '1栋',
        floors: 18,
        house_count: 40,
        units: [
          { id: 11, name: '1单元', house_count: 20 },
          { id: 12, name: '2单元', house_count: 20 },
        ],
      },
      {
        id: 4,
        name: '2栋',
        floors: 6,
        house_count: 0,
        units: [{ id: 13, name: '1单元', house_count: 0 }],
      },
    ],
  },
  { id: 2, name: '翠湖苑', house_count: 0, buildings: [] },
]

export const HOUSE = {
  id: 101,
  label: '1栋1单元101',
  estate: 1,
  estate_name: '阳光花园',
  building: 3,
  building_name: '1栋',
  unit: 11,
  unit_name: '1单元',
  number: '101',
  floor: 1,
  building_area: '89.50',
  usable_area: '72.30',
  layout: '3室2厅',
  use: 'residential',
  status: 'occupied',
  fee_coefficient: '1.0000',
  binding_code: 'K7MX2Q9P',
  resident_count: 2,
}
