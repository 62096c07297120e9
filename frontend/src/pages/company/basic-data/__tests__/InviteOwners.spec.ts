import { type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'
import BindingsPage from '@/pages/company/basic-data/BindingsPage.vue'
import HousesPage from '@/pages/company/basic-data/HousesPage.vue'

import { $, calls, click, fakeApi, mountPage, page, queryOf, TREE, VIEW } from './helpers'

const NEW_COMPANY = {
  house_count: 0,
  bound_house_count: 0,
  unbound_house_count: 0,
  pending_count: 0,
}
const UNDER_WAY = {
  house_count: 300,
  bound_house_count: 12,
  unbound_house_count: 288,
  pending_count: 3,
}

function backend(overview: unknown, tree: unknown = TREE, bindings: unknown[] = []) {
  return fakeApi({
    'GET /api/v1/house-bindings/overview/': () => jsonResponse(overview),
    'GET /api/v1/house-bindings/': () => page(bindings),
    'GET /api/v1/estates/tree/': () => jsonResponse(tree),
    'GET /api/v1/houses/': (_call, q) =>
      q.get('format') === 'xlsx' ? new Response(new Blob(['x']), { status: 200 }) : page([]),
  })
}

function pickSelect(wrapper: VueWrapper, testid: string, value: unknown) {
  const select = wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find(
      (c) => c.attributes('data-testid') === testid || c.find(`[data-testid="${testid}"]`).exists(),
    )
  if (!select) throw new Error(`no select ${testid}`)
  select.vm.$emit('update:modelValue', value)
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('Inviting owners (binding page)', () => {
  it('tells a new company how owners bind, with the owner app address, and sends it to estates when there are no houses', async () => {
    backend(NEW_COMPANY, [])
    await mountPage(BindingsPage, { path: '/basic-data/bindings', permissions: VIEW })
    const panel = $('invite-owners')!
    expect(panel.textContent).toContain('如何邀请业主绑定房屋')
    // Open by default while nothing is bound: the steps are readable at once.
    expect($('invite-steps')!.textContent).toContain('用手机号和短信验证码登录')
    expect($('invite-steps')!.textContent).toContain('房屋码')
    expect($('invite-steps')!.textContent).toContain('立即认证')
    expect($('invite-app-url')!.textContent!.trim()).toBe(`${window.location.origin}/h5/`)
    expect($('invite-counts')!.textContent).toContain('共 0 套房屋：业主已绑定 0 套，未绑定 0 套')
    expect($('invite-no-houses')).not.toBeNull()
    expect($('invite-estates-link')!.getAttribute('href')).toBe('/basic-data/estates')
    expect($('invite-export')!.hasAttribute('disabled')).toBe(true)
    // The empty list says what will appear there.
    expect($('table-empty')!.textContent).toContain('还没有绑定申请')
  })

  it('counts bound and unbound houses and exports the house codes of one building, unbound only', async () => {
    const all = backend(UNDER_WAY)
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const { wrapper } = await mountPage(BindingsPage, {
      path: '/basic-data/bindings',
      permissions: VIEW,
    })
    expect($('invite-counts')!.textContent).toContain(
      '共 300 套房屋：业主已绑定 12 套，未绑定 288 套；待审核申请 3 条',
    )
    expect($('invite-no-houses')).toBeNull()
    pickSelect(wrapper, 'invite-estate', 1)
    await wrapper.vm.$nextTick()
    pickSelect(wrapper, 'invite-building', 3)
    await wrapper.vm.$nextTick()
    ;($('invite-only-unbound')!.querySelector('input') as HTMLInputElement).click()
    await wrapper.vm.$nextTick()
    await click('invite-export')
    const exports = calls(all, 'GET', '/api/v1/houses/').map(queryOf)
    expect(exports).toContainEqual({ format: 'xlsx', building: '3', bound: 'false' })
  })

  it('exports a whole estate when no building is picked', async () => {
    const all = backend(UNDER_WAY)
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const { wrapper } = await mountPage(BindingsPage, {
      path: '/basic-data/bindings',
      permissions: VIEW,
    })
    pickSelect(wrapper, 'invite-estate', 1)
    await wrapper.vm.$nextTick()
    await click('invite-export')
    expect(calls(all, 'GET', '/api/v1/houses/').map(queryOf)).toContainEqual({
      format: 'xlsx',
      estate: '1',
    })
  })
})

describe('Houses page with no building yet', () => {
  it('points to the estates page (and imports, for managers)', async () => {
    backend(NEW_COMPANY, [{ id: 1, name: '阳光花园', house_count: 0, buildings: [] }])
    await mountPage(HousesPage, { path: '/basic-data/houses' })
    expect($('houses-no-buildings')!.textContent).toContain('还没有楼栋')
    expect($('houses-no-buildings')!.textContent).toContain('生成房屋')
    expect($('houses-to-estates')!.getAttribute('href')).toBe('/basic-data/estates')
    expect($('houses-to-imports')!.getAttribute('href')).toBe('/basic-data/imports')
  })

  it('says nothing of the kind once a building exists, and no imports link to a viewer', async () => {
    backend(UNDER_WAY)
    await mountPage(HousesPage, { path: '/basic-data/houses', permissions: VIEW })
    expect($('houses-no-buildings')).toBeNull()
    document.body.innerHTML = ''
    backend(NEW_COMPANY, [])
    await mountPage(HousesPage, { path: '/basic-data/houses', permissions: VIEW })
    expect($('houses-no-buildings')).not.toBeNull()
    expect($('houses-to-imports')).toBeNull()
  })
})
