import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { RepairStats } from '@/api/repairs'
import { repairsRoute } from '@/router/repairs'
import { sectionTabs } from '@/router/sectionTabs'
import { jsonResponse } from '@/test/http'

import RepairStatsPage from '../RepairStatsPage.vue'
import { $, $$, calls, fakeApi, mountPage, queryOf, TREE } from '../../basic-data/__tests__/helpers'

const setOption = vi.fn()
vi.mock('echarts/core', () => ({
  use: vi.fn(),
  init: () => ({ setOption, resize: vi.fn(), dispose: vi.fn() }),
}))

const EMPTY: RepairStats = {
  date_from: '2026-01-01',
  date_to: '2026-12-03',
  estate: null,
  totals: { filed: 0, cancelled: 0, open: 0, finished: 0 },
  by_month: [
    { month: '2026-11-01', count: 0 },
    { month: '2026-12-01', count: 0 },
  ],
  finished_by_month: [],
  by_category: [],
  by_building: [],
  by_worker: [],
  durations: {
    accept_count: 0,
    accept_median_hours: null,
    accept_p90_hours: null,
    complete_count: 0,
    complete_median_hours: null,
    complete_p90_hours: null,
  },
  sla: { met: 0, total: 0, percent: null },
  ratings: {
    count: 0,
    average: null,
    distribution: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: 0 })),
  },
  top_categories_by_month: [],
}

const FULL: RepairStats = {
  ...EMPTY,
  totals: { filed: 12, cancelled: 1, open: 3, finished: 9 },
  by_month: [
    { month: '2026-11-01', count: 5 },
    { month: '2026-12-01', count: 7 },
  ],
  finished_by_month: [
    {
      month: '2026-12-01',
      finished: 9,
      sla_met: 6,
      sla_total: 8,
      sla_met_percent: '75.0',
      rating_count: 4,
      rating_average: '4.25',
    },
  ],
  by_category: [{ category: 2, name: '水电 › 管道漏水', count: 8 }],
  by_building: [
    { estate: 1, estate_name: '阳光花园', building: null, building_name: null, count: 2 },
  ],
  by_worker: [{ worker: null, name: null, count: 3, finished: 0 }],
  durations: {
    ...EMPTY.durations,
    accept_count: 9,
    accept_median_hours: '1.50',
    accept_p90_hours: '4.00',
  },
  sla: { met: 6, total: 8, percent: '75.0' },
  ratings: { count: 4, average: '4.25', distribution: EMPTY.ratings.distribution },
  top_categories_by_month: [
    { month: '2026-12-01', rank: 1, category: 2, name: '水电 › 管道漏水', count: 5 },
  ],
}

function backend(stats: RepairStats) {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/repair-stats/': (_call, query) =>
      query.get('format') === 'xlsx'
        ? new Response(new Blob(['x']), { status: 200 })
        : jsonResponse(stats),
  })
}

const VIEW = ['repairs.dispatch']
const open = (permissions = VIEW) =>
  mountPage(RepairStatsPage, { path: '/repairs/stats', permissions, modules: ['repairs'] })

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  setOption.mockClear()
  document.body.innerHTML = ''
})

describe('报修统计', () => {
  it('says there were no orders instead of drawing zeros', async () => {
    backend(EMPTY)
    await open()
    expect($('stats-empty')?.textContent).toContain('没有报修单')
    expect($$('[data-testid^="stats-chart-"]')).toHaveLength(0)
    expect(setOption).not.toHaveBeenCalled()
  })

  it('shows the server’s figures: totals, durations, SLA, rating, the charts and the top categories', async () => {
    backend(FULL)
    await open()
    // the lazily loaded chart component: one chart for each figure with rows
    await vi.waitFor(() => expect(setOption).toHaveBeenCalledTimes(6), { timeout: 10000 })
    expect($('stats-filed')?.textContent).toContain('12')
    expect($('stats-accept')?.textContent).toContain('1.50 小时')
    expect($('stats-accept')?.textContent).toContain('4.00 小时')
    expect($('stats-complete')?.textContent).toContain('—') // none finished with a time: no number made up
    expect($('stats-sla')?.textContent).toContain('75.0%')
    expect($('stats-sla')?.textContent).toContain('6 / 8')
    expect($('stats-rating')?.textContent).toContain('4.25')
    expect($('stats-top')?.textContent).toContain('2026-12')
    const volume = setOption.mock.calls
      .map(([o]) => o)
      .find((o) => o.series?.[0]?.name === '报修量' && o.xAxis?.type === 'category')
    expect(volume.series[0].data).toEqual([5, 7])
    expect(volume.series[1].data).toEqual([0, 9])
    const worker = setOption.mock.calls
      .map(([o]) => o)
      .find((o) => o.yAxis?.data?.includes('未派单'))
    expect(worker).toBeDefined()
    const building = setOption.mock.calls
      .map(([o]) => o)
      .find((o) => o.yAxis?.data?.includes('阳光花园 公共区域'))
    expect(building).toBeDefined()
  })

  it('sends the date range and the estate, and exports with them as xlsx', async () => {
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const all = backend(FULL)
    const { wrapper } = await open()
    wrapper
      .findComponent({ name: 'ElDatePicker' })
      .vm.$emit('update:modelValue', ['2026-06-01', '2026-11-30'])
    wrapper.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 1)
    await flushPromises()
    const last = calls(all, 'GET', '/api/v1/repair-stats/').at(-1)!
    expect(queryOf(last)).toEqual({ date_from: '2026-06-01', date_to: '2026-11-30', estate: '1' })
    $('stats-export')!.click()
    await flushPromises()
    const exported = calls(all, 'GET', '/api/v1/repair-stats/').at(-1)!
    expect(queryOf(exported)).toEqual({
      date_from: '2026-06-01',
      date_to: '2026-11-30',
      estate: '1',
      format: 'xlsx',
    })
    expect(clicked).toHaveBeenCalledTimes(1)
  })

  it('is a tab for whoever the API lets read it, and hidden from the others', () => {
    const tabs = (held: string[]) =>
      sectionTabs(repairsRoute.children!, (p) => held.includes(p)).map((tab) => tab.name)
    expect(tabs(['analytics.view'])).toEqual(['repairs-stats'])
    expect(tabs(['repairs.dispatch', 'repairs.manage'])).toEqual([
      'repairs-orders',
      'repairs-settings',
      'repairs-rules',
      'repairs-stats',
    ])
    expect(tabs(['repairs.work'])).toEqual([])
  })
})
