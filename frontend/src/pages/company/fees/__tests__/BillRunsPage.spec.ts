import { afterEach, describe, expect, it, vi } from 'vitest'

import type { BillRun } from '@/api/fees'
import { jsonResponse } from '@/test/http'

import { $, calls, click, fakeApi, mountPage, page, TREE } from '../../basic-data/__tests__/helpers'
import BillRunsPage from '../BillRunsPage.vue'

const MANAGER = ['fees.view', 'fees.manage']
const JOB = '5b0c7a52-8d7e-4bb5-9d3c-2f1f0c7c9e11'

const ITEMS = [
  { id: 1, name: '物业费', active: true, mode: 'building_area' },
  { id: 2, name: '水费', active: true, mode: 'meter' },
]

function run(over: Partial<BillRun> = {}): BillRun {
  return {
    id: 7,
    as_of: '2026-03-01',
    estate: 1,
    estate_name: '阳光花园',
    building: null,
    building_name: '',
    fee_items: [1, 2],
    status: 'previewed',
    scheduled: false,
    preview: {
      as_of: '2026-03-01',
      estate: 1,
      building: null,
      charges: 40,
      total: '12345.60',
      items: [
        {
          fee_item: 1,
          name: '物业费',
          charges: 40,
          houses: 40,
          total: '12345.60',
          already_billed: 0,
          exceptions: [],
        },
        {
          fee_item: 2,
          name: '水费',
          charges: 0,
          houses: 0,
          total: '0',
          already_billed: 0,
          exceptions: [
            {
              house: 12,
              estate_name: '阳光花园',
              house_label: '2栋1单元302',
              reason: '本周期没有可计费的抄表读数',
            },
          ],
        },
      ],
    },
    result: {},
    job: null,
    created_by_name: '管理员',
    created_at: '2026-03-01T08:00:00+08:00',
    finished_at: null,
    ...over,
  }
}

function backend(listed: BillRun) {
  let current = listed
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/fee-items/': () => page(ITEMS),
    'GET /api/v1/bill-runs/': () => page([current]),
    'GET /api/v1/bill-runs/7/': () => jsonResponse(current),
    'POST /api/v1/bill-runs/': () => jsonResponse(run({ id: 8 }), 201),
    'POST /api/v1/bill-runs/7/start/': () => {
      current = { ...current, status: 'running', job: JOB }
      return jsonResponse(current)
    },
    [`GET /api/v1/jobs/${JOB}/`]: () => {
      current = {
        ...current,
        status: 'succeeded',
        result: { charges: 40, total: '12345.60' },
        finished_at: '2026-03-01T08:01:00+08:00',
      }
      return jsonResponse({
        id: JOB,
        kind: 'bill_run',
        status: 'succeeded',
        progress: 1,
        total: 1,
        message: '',
        result: { charges: 40, total: '12345.60' },
        created_at: '2026-03-01T08:00:00+08:00',
        finished_at: '2026-03-01T08:01:00+08:00',
      })
    },
    'POST /api/v1/bill-runs/7/cancel/': () => {
      current = { ...current, status: 'cancelled' }
      return jsonResponse(current)
    },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('出账', () => {
  it('resumes a previewed run: preview, confirm, progress, result', async () => {
    const all = backend(run())
    const { router } = await mountPage(BillRunsPage, {
      path: '/fees/bill-runs',
      permissions: MANAGER,
    })
    expect($('bill-run-status-7')?.textContent).toContain('已预览')

    await click('bill-run-open-7')
    expect($('bill-run-steps')?.dataset.step).toBe('preview')
    expect($('preview-charges-1')?.textContent).toBe('40')
    expect($('bill-run-grand-total')?.textContent).toContain('40 笔')
    expect($('bill-run-grand-total')?.textContent).toContain('¥12,345.60')
    expect($('bill-run-exceptions')?.textContent).toContain('阳光花园 2栋1单元302')
    expect($('bill-run-exceptions')?.textContent).not.toContain('#12')
    expect($('bill-run-exceptions')?.textContent).toContain('本周期没有可计费的抄表读数')
    expect($('bill-run-nothing')).toBeNull()

    await click('bill-run-confirm')
    expect(calls(all, 'POST', '/api/v1/bill-runs/7/start/')).toHaveLength(1)
    await vi.waitFor(() => expect($('bill-run-done')).not.toBeNull())
    expect($('bill-run-result')?.textContent).toContain('共出账 40 笔')
    expect($('bill-run-result')?.textContent).toContain('¥12,345.60')
    // The run's bills: the bills list filtered by it.
    const push = vi.spyOn(router, 'push')
    await click('bill-run-view-bills')
    expect(push).toHaveBeenCalledWith({ name: 'fees-bills', query: { bill_run: '7' } })
  })

  it('refuses to issue an empty run and says why', async () => {
    const full = run().preview
    const empty = run({
      preview: {
        ...full,
        charges: 0,
        total: '0',
        items: full.items.map((i) => ({
          ...i,
          charges: 0,
          houses: 0,
          total: '0',
          already_billed: 40,
          exceptions: [],
        })),
      },
    })
    const all = backend(empty)
    await mountPage(BillRunsPage, { path: '/fees/bill-runs', permissions: MANAGER })
    await click('bill-run-open-7')
    expect($('bill-run-nothing')?.dataset.reason).toBe('allBilled')
    expect($('bill-run-nothing')?.textContent).toContain('都已出过账')
    const confirm = $('bill-run-confirm') as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    await click('bill-run-confirm')
    expect(calls(all, 'POST', '/api/v1/bill-runs/7/start/')).toHaveLength(0)
  })

  it('asks for a place before previewing a new run, with every item chosen', async () => {
    const all = backend(run())
    await mountPage(BillRunsPage, { path: '/fees/bill-runs', permissions: MANAGER })
    await click('bill-run-new')
    expect($('bill-run-steps')?.dataset.step).toBe('scope')
    const boxes = ['bill-run-item-1', 'bill-run-item-2'].map((id) => $(id)?.querySelector('input'))
    expect(boxes.every((box) => box?.checked)).toBe(true)
    await click('bill-run-preview-button')
    expect($('bill-run-error')?.textContent).toContain('请选择小区或楼栋')
    expect(calls(all, 'POST', '/api/v1/bill-runs/')).toHaveLength(0)
  })

  it('cancels a previewed run from the list', async () => {
    const all = backend(run())
    await mountPage(BillRunsPage, { path: '/fees/bill-runs', permissions: MANAGER })
    await click('bill-run-cancel-7')
    await click('bill-run-cancel-7-confirm')
    expect(calls(all, 'POST', '/api/v1/bill-runs/7/cancel/')).toHaveLength(1)
    expect($('bill-run-status-7')?.textContent).toContain('已取消')
  })
})
