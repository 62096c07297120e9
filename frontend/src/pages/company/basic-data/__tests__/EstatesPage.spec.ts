import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import { jsonResponse } from '@/test/http'
import EstatesPage from '@/pages/company/basic-data/EstatesPage.vue'

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
  VIEW,
} from './helpers'

function backend(over: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/houses/': () => page([HOUSE], 40),
    'GET /api/v1/estates/1/': () =>
      jsonResponse({
        id: 1,
        name: '阳光花园',
        address: '幸福路 1 号',
        building_count: 2,
        house_count: 40,
        occupied_count: 12,
      }),
    ...over,
  })
}

/** Type a number into an el-input-number (its data-testid is on its root). */
async function typeNumber(testid: string, value: number) {
  const input = $(testid)?.querySelector('input')
  if (!input) throw new Error(`no number input ${testid}`)
  input.value = String(value)
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

const houseQueries = (all: ReturnType<typeof backend>) =>
  calls(all, 'GET', '/api/v1/houses/').map(queryOf)

describe('EstatesPage', () => {
  it('shows the tree with house counts and filters the houses by the picked node', async () => {
    const all = backend()
    await mountPage(EstatesPage, { path: '/basic-data/estates' })

    expect($('tree-node-estate-1')?.textContent).toContain('阳光花园')
    expect($('tree-count-estate-1')?.textContent).toContain('40 套')
    expect($('tree-node-building-3')?.textContent).toContain('1栋')
    expect($('house-row-101')?.textContent).toContain('1栋1单元101')
    expect(houseQueries(all)[0]).toEqual({ page: '1', page_size: '20' })

    await click('tree-node-building-3')
    expect(houseQueries(all).at(-1)).toEqual({ building: '3', page: '1', page_size: '20' })
    expect($('node-title')?.textContent).toContain('阳光花园 · 1栋')
    expect($('building-facts')?.textContent).toContain('1单元、2单元')
    // Picking a building opens it.
    expect($('tree-count-unit-12')?.textContent).toContain('20 套')

    await click('tree-node-unit-12')
    expect(houseQueries(all).at(-1)).toEqual({ unit: '12', page: '1', page_size: '20' })

    await click('tree-node-estate-1')
    expect(houseQueries(all).at(-1)).toEqual({ estate: '1', page: '1', page_size: '20' })
    expect($('estate-facts')?.textContent).toContain('幸福路 1 号')

    await click('tree-all')
    expect(houseQueries(all).at(-1)).toEqual({ page: '1', page_size: '20' })
    expect($('node-none')).not.toBeNull()
  })

  it('previews the generated numbers and shows how many houses were created', async () => {
    let generated = false
    const all = backend({
      'POST /api/v1/buildings/3/generate-houses/': () => {
        generated = true
        return jsonResponse({ created: 72 }, 201)
      },
      'GET /api/v1/estates/tree/': () =>
        jsonResponse(generated ? [{ ...TREE[0], house_count: 112 }, TREE[1]] : TREE),
    })
    await mountPage(EstatesPage, { path: '/basic-data/estates' })
    await click('tree-node-building-3')
    await click('houses-generate')

    expect($('generate-dialog')).not.toBeNull()
    // No English on a zh-CN screen: the pattern's fields are 楼层 and 序号 here.
    expect(($('generate-number-format') as HTMLInputElement | null)?.value).toBe('{楼层}{序号:02d}')
    expect($('generate-dialog')?.textContent).not.toMatch(/floor|index/)
    expect($('generate-preview-numbers')?.textContent?.trim()).toBe('101, 102 … 1801, 1802')
    expect($('generate-total')?.textContent).toContain('2 个单元 × 18 层 × 2 户，共 72 套')

    await type('generate-per-floor', '4')
    expect($('generate-preview-numbers')?.textContent?.trim()).toBe(
      '101, 102, 103 … 1802, 1803, 1804',
    )
    await type('generate-number-format', '{floor}-{index}')
    expect($('generate-preview-numbers')?.textContent?.trim()).toBe(
      '1-1, 1-2, 1-3 … 18-2, 18-3, 18-4',
    )
    await type('generate-number-format', '{floor}{room}')
    expect($('generate-preview-numbers')).toBeNull()
    expect($('generate-preview-invalid')?.textContent).toContain('格式无效')

    // The screen's own names for the fields (the default on a zh-CN screen); sent as floor/index.
    await type('generate-number-format', '{楼层}{序号:02d}')
    await type('generate-per-floor', '2')
    await type('generate-building-area', '89.5')
    await type('generate-usable-area', '72.3')
    await type('generate-layout', '3室2厅')
    await click('generate-dialog-submit')
    await settle()

    const posts = calls(all, 'POST', '/api/v1/buildings/3/generate-houses/')
    expect(posts).toHaveLength(1)
    expect(bodyOf(posts[0])).toEqual({
      per_floor: 2,
      building_area: '89.5',
      usable_area: '72.3',
      layout: '3室2厅',
      use: 'residential',
      status: 'unsold',
      number_format: '{floor}{index:02d}',
    })
    expect($('generate-result')?.textContent).toContain('已生成 72 套房屋')
    expect(calls(all, 'GET', '/api/v1/estates/tree/')).toHaveLength(2)
    expect($('tree-count-estate-1')?.textContent).toContain('112 套')
  })

  it('checks the areas before generating', async () => {
    const all = backend()
    await mountPage(EstatesPage, { path: '/basic-data/estates' })
    await click('tree-node-building-3')
    await click('houses-generate')
    await type('generate-building-area', '60')
    await type('generate-usable-area', '72.3')
    await click('generate-dialog-submit')
    await settle()
    expect($('generate-usable-area')?.closest('.el-form-item')?.textContent).toContain(
      '套内面积不能大于建筑面积',
    )
    expect(calls(all, 'POST', '/api/v1/buildings/3/generate-houses/')).toHaveLength(0)
  })

  it('creates an estate, then a building in it with its units', async () => {
    let tree = TREE
    const all = backend({
      'GET /api/v1/estates/tree/': () => jsonResponse(tree),
      'POST /api/v1/estates/': () => {
        tree = [...TREE, { id: 9, name: '青山里', house_count: 0, buildings: [] }]
        return jsonResponse(
          {
            id: 9,
            name: '青山里',
            address: '',
            building_count: 0,
            house_count: 0,
            occupied_count: 0,
          },
          201,
        )
      },
      'GET /api/v1/estates/9/': () =>
        jsonResponse({
          id: 9,
          name: '青山里',
          address: '',
          building_count: 0,
          house_count: 0,
          occupied_count: 0,
        }),
      'POST /api/v1/buildings/': () => {
        tree = [
          ...TREE,
          {
            id: 9,
            name: '青山里',
            house_count: 0,
            buildings: [
              {
                id: 20,
                name: '5栋',
                floors: 11,
                house_count: 0,
                units: [{ id: 30, name: '1单元', house_count: 0 }],
              },
            ],
          },
        ]
        return jsonResponse(
          {
            id: 20,
            estate: 9,
            estate_name: '青山里',
            name: '5栋',
            floors: 11,
            units: [{ id: 30, name: '1单元' }],
            house_count: 0,
          },
          201,
        )
      },
    })
    await mountPage(EstatesPage, { path: '/basic-data/estates' })

    await click('estate-create')
    await type('estate-name', '青山里')
    await click('estate-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/estates/')[0])).toEqual({
      name: '青山里',
      address: '',
      latitude: null,
      longitude: null,
    })
    expect($('tree-node-estate-9')).not.toBeNull()
    expect($('node-title')?.textContent).toContain('青山里')

    await click('building-create')
    expect($('building-estate')?.textContent).toContain('青山里')
    await type('building-name', '5栋')
    await type('building-floors', '11')
    await click('building-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/buildings/')[0])).toEqual({
      estate: 9,
      name: '5栋',
      floors: 11,
      unit_names: ['1单元'],
    })
    // The new building is picked, ready for "generate houses".
    expect($('node-title')?.textContent).toContain('青山里 · 5栋')
    expect($('houses-generate')).not.toBeNull()
  })

  it('shows a duplicate name under the name field', async () => {
    backend({
      'POST /api/v1/estates/': () =>
        jsonResponse(
          {
            code: 'validation_error',
            message: '小区名称已存在。',
            fields: { name: ['小区名称已存在。'] },
          },
          400,
        ),
    })
    await mountPage(EstatesPage, { path: '/basic-data/estates' })
    await click('estate-create')
    await type('estate-name', '阳光花园')
    await click('estate-dialog-submit')
    await settle()
    expect($('estate-name')?.closest('.el-form-item')?.textContent).toContain('小区名称已存在。')
    expect($('estate-dialog-error')).toBeNull()
  })

  it('edits where the estate is: latitude and longitude as a pair of decimals', async () => {
    let saved = { latitude: null as string | null, longitude: null as string | null }
    const all = backend({
      'GET /api/v1/estates/1/': () =>
        jsonResponse({
          id: 1,
          name: '阳光花园',
          address: '幸福路 1 号',
          ...saved,
          building_count: 2,
          house_count: 40,
          occupied_count: 12,
        }),
      'PATCH /api/v1/estates/1/': (call) => {
        const body = bodyOf(call)
        saved = { latitude: body.latitude as string, longitude: body.longitude as string }
        return jsonResponse({
          id: 1,
          name: '阳光花园',
          address: '幸福路 1 号',
          ...saved,
          building_count: 2,
          house_count: 40,
          occupied_count: 12,
        })
      },
    })
    await mountPage(EstatesPage, { path: '/basic-data/estates' })
    await click('tree-node-estate-1')
    expect($('estate-location')?.textContent).toBe('未设置')
    await click('estate-edit')
    expect($('estate-coordinates-hint')?.textContent).toContain('国测局坐标系')

    // One without the other is refused before the server is asked.
    await typeNumber('estate-latitude', 31.230416)
    await click('estate-dialog-submit')
    await settle()
    expect(fieldError('estate-longitude')).toBe('经纬度须同时填写或同时留空')
    expect(calls(all, 'PATCH', '/api/v1/estates/1/')).toHaveLength(0)

    await typeNumber('estate-longitude', 121.473701)
    await click('estate-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/estates/1/').at(-1)!)).toEqual({
      name: '阳光花园',
      address: '幸福路 1 号',
      latitude: '31.230416',
      longitude: '121.473701',
    })
    expect($('estate-location')?.textContent).toBe('31.230416, 121.473701')
  })

  it('offers no write actions to a read-only role', async () => {
    backend()
    await mountPage(EstatesPage, { path: '/basic-data/estates', permissions: VIEW })
    expect($('estate-create')).toBeNull()
    await click('tree-node-building-3')
    expect($('houses-generate')).toBeNull()
    expect($('house-create')).toBeNull()
    await flushPromises()
  })
})
