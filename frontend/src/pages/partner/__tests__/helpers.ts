import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { expect, vi } from 'vitest'
import { createMemoryHistory, RouterView, type Router } from 'vue-router'

import { createAppRouter } from '@/router'
import { PARTNER_TOKEN_KEY } from '@/stores/partner'

export const TOKEN = 'partner-token-1'

/**
 * The public site's app at `path`, its layouts included; `signedIn` leaves a partner token in
 * storage as a previous visit would have.
 */
export async function mountPortal(path: string, { signedIn = true } = {}) {
  document.cookie = 'csrftoken=test-token'
  window.localStorage.clear()
  if (signedIn) window.localStorage.setItem(PARTNER_TOKEN_KEY, TOKEN)
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter('public', createMemoryHistory())
  await router.push(path)
  const Root = defineComponent({ render: () => h(RouterView) })
  const wrapper = mount(Root, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

/** Wait until the router is at `name` (a lazy route's component loads first, slowly in a cold run). */
export async function arriveAt(router: Router, name: string) {
  await vi.waitFor(() => expect(router.currentRoute.value.name).toBe(name), { timeout: 5000 })
  await flushPromises()
}
