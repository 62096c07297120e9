import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import type { Me, Site } from '@/api/types'
import App from '@/App.vue'
import { createAppRouter } from '@/router'
import { useSiteStore } from '@/stores/site'
import { jsonResponse, mockFetch } from '@/test/http'

const site: Site = {
  surface: 'company',
  company: {
    slug: 'demo',
    name: '示例物业',
    branding: {
      display_name: '阳光物业',
      logo_url: '/media/logo.png',
      primary_color: '#ff6600',
      miniprogram_title: '阳光社区',
    },
  },
}

async function mountAppAs(me: Me, path: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  mockFetch((call) =>
    jsonResponse(
      call.url === '/api/v1/site/'
        ? site
        : call.url === '/api/v1/auth/session/'
          ? { authenticated: true }
          : me,
    ),
  )
  await useSiteStore().load()
  const router = createAppRouter('company', createMemoryHistory())
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

describe('admin layout', () => {
  it('shows only the modules the user has, with branding applied', async () => {
    const { wrapper } = await mountAppAs(
      {
        id: 2,
        username: 'guard1',
        phone_masked: '138****0000',
        name: '保安小李',
        roles: ['guard'],
        permissions: [],
        modules: ['security'],
        must_change_password: false,
      },
      '/security',
    )
    const nav = wrapper.findAll('[data-testid^="nav-"]').map((e) => e.attributes('data-testid'))
    expect(nav).toEqual(['nav-dashboard', 'nav-security'])
    expect(wrapper.find('[data-testid="header-company-name"]').text()).toBe('阳光物业')
    expect(wrapper.find('[data-testid="header-logo"]').attributes('src')).toBe('/media/logo.png')
    expect(wrapper.find('[data-testid="user-name"]').text()).toBe('保安小李')
    expect(wrapper.find('[data-testid="coming-soon"]').text()).toContain('车辆安防')
    expect(document.documentElement.style.getPropertyValue('--el-color-primary')).toBe('#ff6600')
    expect(document.title).toBe('车辆安防 - 阳光物业')
  })

  it('shows every module to an administrator', async () => {
    const { wrapper } = await mountAppAs(
      {
        id: 1,
        username: 'admin',
        phone_masked: '138****0000',
        name: '管理员',
        roles: ['admin'],
        permissions: ['settings.manage'],
        must_change_password: false,
        modules: [
          'basic_data',
          'fees',
          'repairs',
          'security',
          'community',
          'activities',
          'analytics',
          'settings',
        ],
      },
      '/security',
    )
    expect(wrapper.findAll('[data-testid^="nav-"]')).toHaveLength(9)
    expect(wrapper.find('[data-testid="module-placeholder-security"]').exists()).toBe(true)
  })
})
