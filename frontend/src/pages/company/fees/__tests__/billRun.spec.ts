import { describe, expect, it } from 'vitest'

import type { BillRun, BillRunPreview, BillRunPreviewItem, FeeItem } from '@/api/fees'

import {
  billableItems,
  billsLocation,
  createBody,
  defaultScope,
  exceptionLines,
  nothingReason,
  runCharges,
  scopeOfRun,
  scopeProblem,
  scopeText,
  stepIndex,
  stepOf,
} from '../billRun'

function item(id: number, over: Partial<FeeItem> = {}): FeeItem {
  return { id, name: `项目${id}`, active: true, mode: 'building_area', ...over } as FeeItem
}

const ITEMS = [
  item(1),
  item(2, { mode: 'meter' }),
  item(3, { active: false }),
  item(4, { mode: 'usage' }),
]

function line(fee_item: number, over: Partial<BillRunPreviewItem> = {}): BillRunPreviewItem {
  return {
    fee_item,
    name: `项目${fee_item}`,
    charges: 0,
    houses: 0,
    total: '0',
    already_billed: 0,
    exceptions: [],
    ...over,
  }
}

function preview(items: BillRunPreviewItem[]): BillRunPreview {
  return {
    as_of: '2026-03-01',
    estate: 1,
    building: null,
    items,
    charges: items.reduce((n, i) => n + i.charges, 0),
    total: '0',
  }
}

function run(over: Partial<BillRun> = {}): BillRun {
  return {
    id: 7,
    as_of: '2026-03-01',
    estate: 1,
    estate_name: '阳光花园',
    building: null,
    building_name: '',
    fee_items: [],
    status: 'previewed',
    scheduled: false,
    preview: preview([line(1, { charges: 10, total: '1234.50' })]),
    result: {},
    job: null,
    created_by_name: '管理员',
    created_at: '2026-03-01T08:00:00+08:00',
    finished_at: null,
    ...over,
  }
}

describe('bill run wizard: steps', () => {
  it('opens a run of the list where it stands; a cancelled one not at all', () => {
    expect(stepOf({ status: 'previewed' })).toBe('preview')
    expect(stepOf({ status: 'running' })).toBe('running')
    expect(stepOf({ status: 'succeeded' })).toBe('done')
    expect(stepOf({ status: 'failed' })).toBe('failed')
    expect(stepOf({ status: 'cancelled' })).toBeNull()
  })

  it('ticks every box when done, and puts a failure in the last one', () => {
    expect(['scope', 'preview', 'running', 'done'].map((s) => stepIndex(s as never))).toEqual([
      0, 1, 2, 4,
    ])
    expect(stepIndex('failed')).toBe(3)
  })
})

describe('bill run wizard: scope', () => {
  it('offers the active items a run bills (not 录入用量), all of them by default', () => {
    expect(billableItems(ITEMS).map((i) => i.id)).toEqual([1, 2])
    expect(defaultScope(ITEMS, '2026-03-01')).toEqual({
      location: [],
      as_of: '2026-03-01',
      fee_items: [1, 2],
    })
  })

  it('asks for a place, a date and an item before previewing', () => {
    const form = defaultScope(ITEMS, '2026-03-01')
    expect(scopeProblem(form)).toBe('needLocation')
    expect(scopeProblem({ ...form, location: [5], as_of: '' })).toBe('needDate')
    expect(scopeProblem({ ...form, location: [5], fee_items: [] })).toBe('needItems')
    expect(scopeProblem({ ...form, location: [5] })).toBeNull()
  })

  it('sends the estate, or the building of it, and always names the items', () => {
    const form = { location: [5], as_of: '2026-03-01', fee_items: [1, 2] }
    expect(createBody(form)).toEqual({ as_of: '2026-03-01', estate: 5, fee_items: [1, 2] })
    expect(createBody({ ...form, location: [5, 9] })).toEqual({
      as_of: '2026-03-01',
      estate: 5,
      building: 9,
      fee_items: [1, 2],
    })
  })

  it('reopens a run with its own scope (every billable item when it named none)', () => {
    expect(scopeOfRun(run({ building: 9, fee_items: [2] }), ITEMS)).toEqual({
      location: [1, 9],
      as_of: '2026-03-01',
      fee_items: [2],
    })
    expect(scopeOfRun(run(), ITEMS).fee_items).toEqual([1, 2])
  })
})

describe('bill run wizard: preview', () => {
  it('goes on when something would be issued, even with exceptions beside it', () => {
    const p = preview([
      line(1, { charges: 3, total: '300.00' }),
      line(2, { exceptions: [{ house: 4, reason: '本周期没有可计费的抄表读数' }] }),
    ])
    expect(nothingReason(p)).toBeNull()
  })

  it('refuses an empty run and says why', () => {
    const exceptions = preview([
      line(1, { already_billed: 2 }),
      line(2, { exceptions: [{ reason: '3 个周期没有适用的价格' }] }),
    ])
    expect(nothingReason(exceptions)).toBe('exceptions')
    expect(nothingReason(preview([line(1, { already_billed: 12 }), line(2)]))).toBe('allBilled')
    expect(nothingReason(preview([line(1), line(2)]))).toBe('nothingDue')
    expect(nothingReason(preview([]))).toBe('nothingDue')
  })

  it('lists the exceptions item by item, with the house when there is one', () => {
    const p = preview([
      line(1, { exceptions: [{ reason: '2 个周期没有适用的价格' }] }),
      line(2, {
        exceptions: [
          { house: 4, estate_name: '阳光花园', house_label: '1栋1单元101', reason: '没有读数' },
          { house: 5, reason: '公式有误' }, // a preview stored before houses were named
        ],
      }),
    ])
    expect(exceptionLines(p)).toEqual([
      { item: '项目1', house: null, reason: '2 个周期没有适用的价格' },
      { item: '项目2', house: { label: '阳光花园 1栋1单元101' }, reason: '没有读数' },
      { item: '项目2', house: { id: 5 }, reason: '公式有误' },
    ])
  })
})

describe('bill run list', () => {
  it('names the scope', () => {
    expect(scopeText(run(), '全部小区')).toBe('阳光花园')
    expect(scopeText(run({ building_name: '1栋' }), '全部小区')).toBe('阳光花园 1栋')
    expect(scopeText(run({ estate_name: '' }), '全部小区')).toBe('全部小区')
  })

  it('counts what a run issued once done, what it would issue before', () => {
    expect(runCharges(run())).toEqual({ charges: 10, total: '0', issued: false })
    expect(
      runCharges(run({ status: 'succeeded', result: { charges: 9, total: '900.00' } })),
    ).toEqual({ charges: 9, total: '900.00', issued: true })
    expect(runCharges(run({ status: 'succeeded', result: {} }))).toEqual({
      charges: 0,
      total: '0.00',
      issued: true,
    })
  })

  it('links to the bills of the run only where the bills page exists', () => {
    expect(billsLocation(7, () => false)).toBeNull()
    expect(billsLocation(7, (name) => name === 'fees-bills')).toEqual({
      name: 'fees-bills',
      query: { bill_run: '7' },
    })
  })
})
