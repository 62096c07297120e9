import { afterEach, describe, expect, it, vi } from 'vitest'

import type { FeedbackStats } from '@/api/feedback'
import { jsonResponse } from '@/test/http'

import FeedbackStatsPage from '../FeedbackStatsPage.vue'
import { monthsOf } from '../statsCharts'
import { $, $$, calls, fakeApi, mountPage, queryOf, TREE } from '../../basic-data/__tests__/helpers'

const setOption = vi.fn()
vi.mock('echarts/core', () => ({
  use: vi.fn(),
  init: () => ({ setOption, resize: vi.fn(), dispose: vi.fn() }),
}))

const EMPTY: FeedbackStats = {
  date_from: '2026-10-01',
  total: 0,
  late: 0,
  monthly: [],
  by_kind: { complaint: 0, suggestion: 0, consultation: 0, praise: 0 },
  by_month: [],
  rated: 0,
  satisfaction: null,
  overdue: 0,
  open: 0,
}

const FULL: FeedbackStats = {
  ...EMPTY,
  total: 7,
  late: 3,
  by_kind: { complaint: 4, suggestion: 2, consultation: 0, praise: 1 },
  by_month: [
    { month: '2026-10', kind: 'complaint', count: 3 },
    { month: '2026-12', kind: 'complaint', count: 1 },
    { month: '2026-12', kind: 'suggestion', count: 2 },
    { month: '2026-12', kind: 'praise', count: 1 },
  ],
  monthly: [
    { month: '2026-10', count: 3, late: 2, rated: 2, satisfaction: 3.5 },
    { month: '2026-12', count: 4, late: 1, rated: 0, satisfaction: null },
  ],
  rated: 2,
  satisfaction: 3.5,
  overdue: 1,
  open: 2,
}

function backend(stats: FeedbackStats) {
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/feedback-stats/': () => jsonResponse(stats),
  })
}

const open = (permissions = ['feedback.handle']) =>
  mountPage(FeedbackStatsPage, { path: '/feedback/stats', permissions, modules: ['feedback'] })

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
  setOption.mockClear()
  document.body.innerHTML = ''
})

const options = () => setOption.mock.calls.map(([o]) => o)

describe('投诉建议趋势', () => {
  it('says the period had no items instead of drawing zeros', async () => {
    backend(EMPTY)
    await open()
    expect($('stats-empty')?.textContent).toContain('没有投诉建议')
    expect($$('[data-testid^="stats-chart-"]')).toHaveLength(0)
    expect(setOption).not.toHaveBeenCalled()
  })

  it('draws the kinds by month (a month without items is zero) and late answers with satisfaction', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-03T10:00:00+08:00') })
    backend(FULL)
    await open(['analytics.view'])
    await vi.waitFor(() => expect(setOption).toHaveBeenCalledTimes(2), { timeout: 10000 })
    expect($('stats-total')?.textContent).toContain('7')
    expect($('stats-late')?.textContent).toContain('3')
    expect($('stats-satisfaction')?.textContent).toContain('3.5')
    const kinds = options().find((o) => o.series?.[0]?.stack === 'kinds')
    expect(kinds.xAxis.data).toEqual(['2026-10', '2026-11', '2026-12'])
    expect(kinds.series.map((s: { name: string }) => s.name)).toEqual([
      '投诉',
      '建议',
      '咨询',
      '表扬',
    ])
    expect(kinds.series[0].data).toEqual([3, 0, 1])
    expect(kinds.series[1].data).toEqual([0, 0, 2])
    const quality = options().find((o) => o.series?.[1]?.type === 'line')
    expect(quality.series[0].data).toEqual([2, 0, 1])
    expect(quality.series[1].data).toEqual([3.5, null, null]) // no rating: no point made up
  })

  it('asks for the period and the estate picked', async () => {
    const all = backend(FULL)
    const { wrapper } = await open()
    expect(queryOf(calls(all, 'GET', '/api/v1/feedback-stats/')[0]!)).toEqual({ months: '12' })
    const [months, estate] = wrapper.findAllComponents({ name: 'ElSelect' })
    months!.vm.$emit('update:modelValue', 24)
    estate!.vm.$emit('update:modelValue', 1)
    await vi.waitFor(() =>
      expect(queryOf(calls(all, 'GET', '/api/v1/feedback-stats/').at(-1)!)).toEqual({
        months: '24',
        estate: '1',
      }),
    )
  })

  it('lists every month from the first of the period through this one', () => {
    expect(monthsOf('2025-11-01', new Date(2026, 1, 10))).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ])
  })
})
