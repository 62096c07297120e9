import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'

import App from '@/App.vue'
import { createAppRouter } from '@/router'
import { useSiteStore } from '@/stores/site'
import { jsonResponse } from '@/test/http'

import { $, $$, fakeApi, MANAGE, page, signIn, TREE, VIEW } from './helpers'

async function open(path: string, permissions: string[]) {
  const pinia = signIn(permissions)
  fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/houses/': () => page([]),
    'GET /api/v1/houses/101/': () =>
      jsonResponse({ id: 101, label: '1栋1单元101', residents: [], status: 'vacant' }),
  })
  useSiteStore().site = {
    surface: 'company',
    company: {
      slug: 'demo',
      name: '示例物业',
      branding: {
        display_name: '示例物业',
        logo_url: null,
        primary_color: '#1677ff',
        miniprogram_title: '',
      },
    },
  }
  const router = createAppRouter('company', createMemoryHistory())
  await router.push(path)
  mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await flushPromises()
  return router
}

const tabs = () => $$('[data-testid^="tab-basic-data-"]').map((e) => e.dataset.testid)

// The first test loads the whole admin shell (layout, menus, pages): slow on a cold cache.
describe('basic data layout', { timeout: 20_000 }, () => {
  it('opens on estates, with a tab per page', async () => {
    const router = await open('/basic-data', MANAGE)
    expect(router.currentRoute.value.name).toBe('basic-data-estates')
    expect(tabs()).toEqual(
      expect.arrayContaining([
        'tab-basic-data-estates',
        'tab-basic-data-houses',
        'tab-basic-data-residents',
        'tab-basic-data-bindings',
        'tab-basic-data-corrections',
        'tab-basic-data-imports',
      ]),
    )
    expect($('estates-page')).not.toBeNull()
    expect(document.title).toContain('小区楼栋')
  })

  it('hides the import tab from those who may only look', async () => {
    await open('/basic-data/houses', VIEW)
    expect(tabs()).toContain('tab-basic-data-houses')
    expect(tabs()).not.toContain('tab-basic-data-imports')
  })

  it('keeps the houses tab current on a house page', async () => {
    await open('/basic-data/houses/101', MANAGE)
    expect($('house-page')).not.toBeNull()
    const active = $$('.el-tabs__item.is-active [data-testid]').map((e) => e.dataset.testid)
    expect(active).toEqual(['tab-basic-data-houses'])
  })
})
