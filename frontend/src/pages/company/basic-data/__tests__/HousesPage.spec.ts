import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'
import HousesPage from '@/pages/company/basic-data/HousesPage.vue'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  HOUSE,
  mountPage,
  page,
  queryOf,
  settle,
  TREE,
  type,
} from './helpers'

function backend(over: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/houses/': (_call, q) =>
      q.get('format') === 'xlsx'
        ? new Response(new Blob(['x']), { status: 200 })
        : page([HOUSE], 1),
    ...over,
  })
}

async function fillHouse(number: string, floor: string) {
  await type('house-number', number)
  await type('house-floor', floor)
  await type('house-building-area', '89.50')
  await type('house-usable-area', '72.30')
}

function pickSelect(wrapper: VueWrapper, testid: string, value: string) {
  const select = wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find(
      (c) => c.attributes('data-testid') === testid || c.find(`[data-testid="${testid}"]`).exists(),
    )
  if (!select) throw new Error(`no select ${testid}`)
  select.vm.$emit('update:modelValue', value)
  select.vm.$emit('change', value)
}

describe('HousesPage', () => {
  it('filters by the tree, the toolbar filters and exports with the same filters', async () => {
    const all = backend()
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    const anchorClick = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const { wrapper } = await mountPage(HousesPage, { path: '/basic-data/houses' })

    await click('tree-node-building-3')
    pickSelect(wrapper, 'filter-status', 'vacant')
    await flushPromises()
    await type('filter-area_min', '80')
    await new Promise((r) => setTimeout(r, 350)) // text filters are debounced
    await flushPromises()

    const lists = calls(all, 'GET', '/api/v1/houses/').map(queryOf)
    expect(lists.at(-1)).toEqual({
      building: '3',
      status: 'vacant',
      area_min: '80',
      page: '1',
      page_size: '20',
    })

    await click('table-export')
    const exported = lists.length
    const exportCall = calls(all, 'GET', '/api/v1/houses/')[exported]
    expect(queryOf(exportCall)).toEqual({
      building: '3',
      status: 'vacant',
      area_min: '80',
      format: 'xlsx',
    })
    expect(anchorClick).toHaveBeenCalledTimes(1)
  })

  it('checks the floor against the building, then shows server errors under their fields', async () => {
    const all = backend({
      'POST /api/v1/houses/': () =>
        jsonResponse(
          {
            code: 'validation_error',
            message: '输入有误',
            fields: { floor: ['楼层超出该楼栋的层数（18 层）。'], number: ['该单元已有此房号。'] },
          },
          400,
        ),
    })
    await mountPage(HousesPage, { path: '/basic-data/houses' })
    await click('tree-node-building-3')
    await click('tree-node-unit-11')
    await click('house-create')
    // The unit picked in the tree is where the new house goes.
    const location = $('house-location')?.querySelector('input') as HTMLInputElement
    expect(location.value).toContain('1单元')

    await fillHouse('1901', '19')
    await click('house-dialog-submit')
    await settle()
    expect(fieldError('house-floor')).toBe('该楼栋只有 18 层')
    expect(calls(all, 'POST', '/api/v1/houses/')).toHaveLength(0)

    await type('house-floor', '5')
    await click('house-dialog-submit')
    await settle()
    const posts = calls(all, 'POST', '/api/v1/houses/')
    expect(posts).toHaveLength(1)
    expect(bodyOf(posts[0])).toMatchObject({
      unit: 11,
      number: '1901',
      floor: 5,
      building_area: '89.50',
      usable_area: '72.30',
      use: 'residential',
      status: 'unsold',
      fee_coefficient: '1.0000',
    })
    expect(fieldError('house-floor')).toBe('楼层超出该楼栋的层数（18 层）。')
    expect(fieldError('house-number')).toBe('该单元已有此房号。')
    expect(fieldError('house-building-area')).toBeNull()
    expect($('house-dialog')).not.toBeNull()
  })

  it('edits a house without sending its unit', async () => {
    const all = backend({
      'PATCH /api/v1/houses/101/': () => jsonResponse({ ...HOUSE, status: 'renting' }),
    })
    const { wrapper } = await mountPage(HousesPage, { path: '/basic-data/houses' })
    await click('house-edit-101')
    expect(($('house-number') as HTMLInputElement).value).toBe('101')
    pickSelect(wrapper, 'house-status', 'renting')
    await click('house-dialog-submit')
    await settle()
    const body = bodyOf(calls(all, 'PATCH', '/api/v1/houses/101/')[0])
    expect(body.status).toBe('renting')
    expect(body).not.toHaveProperty('unit')
    expect(calls(all, 'GET', '/api/v1/houses/').length).toBeGreaterThan(1)
  })
})
