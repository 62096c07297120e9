import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Collection } from '@/api/reports'
import { nothingDue, ratePercent } from '@/api/reports'
import CollectionChart from '@/pages/company/CollectionChart.vue'
import { $, calls, fakeApi, mountPage, queryOf } from '@/pages/company/basic-data/__tests__/helpers'
import { jsonResponse } from '@/test/http'

const setOption = vi.fn()
vi.mock('echarts/core', () => ({
  use: vi.fn(),
  init: () => ({ setOption, resize: vi.fn(), dispose: vi.fn() }),
}))

const ANALYTICS = ['analytics.view']

function month(start: string, due: string, paid: string, rate: string | null): Collection {
  return {
    period_start: start,
    period_end: start,
    due,
    paid,
    outstanding: (Number(due) - Number(paid)).toFixed(2),
    charges: Number(due) > 0 ? 1 : 0,
    rate,
  }
}

function answer(series: Collection[]) {
  const due = series.reduce((sum, m) => sum + Number(m.due), 0)
  const paid = series.reduce((sum, m) => sum + Number(m.paid), 0)
  const total = month(series[0].period_start, due.toFixed(2), paid.toFixed(2), null)
  total.rate = due ? (paid / due).toFixed(4) : null
  return { series, total }
}

afterEach(() => {
  document.body.innerHTML = ''
  setOption.mockClear()
})

describe('CollectionChart', () => {
  it('says there are no bills yet instead of drawing invented rates', async () => {
    const requests = fakeApi({
      'GET /api/v1/billing/collection-rate/': () =>
        jsonResponse(answer([month('2026-11-01', '0.00', '0.00', null)])),
    })
    await mountPage(CollectionChart, { path: '/', permissions: ANALYTICS })
    expect(queryOf(calls(requests, 'GET', '/api/v1/billing/collection-rate/')[0])).toEqual({
      months: '12',
    })
    expect($('dashboard-chart')).toBeNull()
    expect($('dashboard-chart-state')?.textContent).toContain('暂无账单数据')
    expect(setOption).not.toHaveBeenCalled()
  })

  it('draws the monthly rates from the server, a gap where nothing was due', async () => {
    fakeApi({
      'GET /api/v1/billing/collection-rate/': () =>
        jsonResponse(
          answer([
            month('2026-10-01', '0.00', '0.00', null),
            month('2026-11-01', '200.00', '170.00', '0.8500'),
          ]),
        ),
    })
    await mountPage(CollectionChart, { path: '/', permissions: ANALYTICS })
    expect($('dashboard-chart')).not.toBeNull()
    const option = setOption.mock.calls.at(-1)?.[0]
    expect(option.series[0].data).toEqual([null, 85])
    expect(option.xAxis.data).toEqual(['10月', '11月'])
    expect($('dashboard-chart-total')?.textContent).toContain('85%')
  })
})

describe('report helpers', () => {
  it('reads rates as percentages and keeps "nothing due" apart from 0 %', () => {
    expect(ratePercent('0.9512')).toBe(95.1)
    expect(ratePercent('0.0000')).toBe(0)
    expect(ratePercent(null)).toBeNull()
    expect(nothingDue(answer([month('2026-11-01', '0.00', '0.00', null)]))).toBe(true)
    expect(nothingDue(answer([month('2026-11-01', '10.00', '0.00', '0.0000')]))).toBe(false)
  })
})
