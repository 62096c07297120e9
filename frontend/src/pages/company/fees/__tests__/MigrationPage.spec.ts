import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import type { ImportRecord } from '@/api/basicData'
import { importRecord } from '@/components/imports/__tests__/fixtures'
import MigrationPage from '@/pages/company/fees/MigrationPage.vue'
import { jsonResponse } from '@/test/http'

import {
  $,
  $$,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  TREE,
} from '../../basic-data/__tests__/helpers'

const MANAGER = ['fees.view', 'fees.manage', 'basic_data.view']
const MODULES: ('fees' | 'basic_data')[] = ['fees', 'basic_data']

const record = (over: Partial<ImportRecord>): ImportRecord =>
  importRecord({
    id: 9,
    kind: 'fee_history',
    kind_label: '缴费历史',
    file_name: 'HC房屋缴费历史.xlsx',
    job: { id: 'j9', status: 'running', progress: 20, total: 100, message: '' },
    ...over,
  })

// The ledger's own counts of a fee history (billing/services/history_import.py), beside the rows'.
const LEDGER_COUNTS = {
  rows: 12,
  create: 12,
  update: 0,
  unchanged: 0,
  errors: 0,
  charges: 14,
  payments: 12,
  assignments_created: 2,
  assignments_moved: 0,
  vehicles_not_imported: 1,
}

async function upload(name: string) {
  const input = $('import-file-input') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [new File(['x'], name)], configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

describe('MigrationPage (收费管理 › 数据迁移)', () => {
  it('imports a payment history: template, dry run with the ledger counts, commit, where to see it', async () => {
    vi.useFakeTimers()
    const ready = record({
      status: 'ready',
      can_commit: true,
      job: { id: 'j9', status: 'succeeded', progress: 100, total: 100, message: '' },
      counts: LEDGER_COUNTS,
      message: '校验通过，可以确认导入。',
    })
    let committed = false
    const all = fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'POST /api/v1/imports/': () => jsonResponse(record({}), 202),
      'GET /api/v1/imports/9/': () =>
        jsonResponse(
          committed
            ? { ...ready, status: 'done', can_commit: false, message: '导入完成。共记入 14 笔费用' }
            : ready,
        ),
      'POST /api/v1/imports/9/commit/': () => {
        committed = true
        return jsonResponse({ ...ready, status: 'committing', can_commit: false }, 202)
      },
    })
    const { router } = await mountPage(MigrationPage, {
      path: '/fees/migration?kind=fee_history',
      permissions: MANAGER,
      modules: MODULES,
    })
    expect($$('[data-testid^="import-kind-"]').map((el) => el.dataset.testid)).toEqual([
      'import-kind-fee_items',
      'import-kind-meters',
      'import-kind-fee_history',
      'import-kind-fee_arrears',
    ])
    expect($('import-template')?.getAttribute('href')).toBe(
      '/api/v1/imports/templates/fee_history/',
    )
    // HC's history names no estate: offered, optional (a 小区 column may name it instead).
    expect($('import-estate')).not.toBeNull()
    expect($('import-estate-hint')?.textContent).toContain('小区')
    expect($('fees-migration-hint')?.textContent).toContain('小区')
    expect(queryOf(calls(all, 'GET', '/api/v1/imports/')[0]!)).toMatchObject({
      kind: 'fee_history',
    })

    await upload('HC房屋缴费历史.xlsx')
    const form = calls(all, 'POST', '/api/v1/imports/')[0]!.body as FormData
    expect([form.get('kind'), form.get('estate')]).toEqual(['fee_history', null])
    expect($('fees-migration-results')).toBeNull()
    await vi.advanceTimersByTimeAsync(1000)
    expect($('import-current')?.dataset.status).toBe('ready')
    expect($('import-count-charges')?.textContent).toBe('14')
    expect($('import-count-payments')?.textContent).toBe('12')
    expect($('import-count-vehicles_not_imported')?.textContent).toBe('1')
    expect($('import-extra-counts')?.textContent).toContain('记入费用')

    await click('import-commit')
    await vi.advanceTimersByTimeAsync(1000)
    expect($('import-current')?.dataset.status).toBe('done')
    expect($('fees-migration-see-seeHouses')?.getAttribute('href')).toBe('/basic-data/houses')
    expect($('fees-migration-see-seeBills')?.getAttribute('href')).toBe('/fees/bills')
    expect(router.currentRoute.value.query.kind).toBe('fee_history')
    vi.useRealTimers()
  })

  it('uploads arrears into the estate chosen, and the report names it', async () => {
    const inEstate = record({
      kind: 'fee_arrears',
      kind_label: '期初欠费',
      file_name: '欠费.xlsx',
      status: 'ready',
      can_commit: true,
      estate: 1,
      estate_name: '阳光花园',
      job: { id: 'j9', status: 'succeeded', progress: 100, total: 100, message: '' },
      counts: { rows: 1, create: 1, update: 0, unchanged: 0, errors: 0, charges: 3 },
    })
    const all = fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'POST /api/v1/imports/': () => jsonResponse(inEstate, 202),
      'GET /api/v1/imports/9/': () => jsonResponse(inEstate),
    })
    await mountPage(MigrationPage, {
      path: '/fees/migration?kind=fee_arrears',
      permissions: MANAGER,
      modules: MODULES,
    })
    await click('import-estate')
    await click('import-estate-1')
    await upload('欠费.xlsx')
    const form = calls(all, 'POST', '/api/v1/imports/')[0]!.body as FormData
    expect([form.get('kind'), form.get('estate')]).toEqual(['fee_arrears', '1'])
    expect($('import-estate-name')?.textContent).toBe('阳光花园')

    // Fee items name no house: no estate offered, none sent.
    await click('import-kind-fee_items')
    expect($('import-estate')).toBeNull()
  })

  it('follows the kind picked: template, history and address; links only where the user may go', async () => {
    const done = (id: number, kind: ImportRecord['kind']) =>
      record({ id, kind, status: 'done', counts: { rows: 2, create: 2 }, job: null })
    const all = fakeApi({
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'GET /api/v1/imports/': (_call, query) =>
        page(
          query.get('kind') === 'fee_arrears' ? [done(5, 'fee_arrears')] : [done(4, 'fee_items')],
        ),
      'GET /api/v1/imports/4/': () => jsonResponse(done(4, 'fee_items')),
      'GET /api/v1/imports/5/': () => jsonResponse(done(5, 'fee_arrears')),
    })
    // A fees clerk without basic data: no link to the houses.
    const { router } = await mountPage(MigrationPage, {
      path: '/fees/migration',
      permissions: ['fees.view', 'fees.manage'],
      modules: ['fees'],
    })
    expect($('import-template')?.getAttribute('href')).toBe('/api/v1/imports/templates/fee_items/')
    await click('import-open-4')
    expect($('import-current')?.dataset.status).toBe('done')
    expect($('import-count-charges')).toBeNull() // a fee items file posts no charges
    expect($('fees-migration-see-seeItems')?.getAttribute('href')).toBe('/fees/items')

    await click('import-kind-fee_arrears')
    expect($('import-template')?.getAttribute('href')).toBe(
      '/api/v1/imports/templates/fee_arrears/',
    )
    expect(router.currentRoute.value.query.kind).toBe('fee_arrears')
    expect(queryOf(calls(all, 'GET', '/api/v1/imports/').at(-1)!)).toMatchObject({
      kind: 'fee_arrears',
    })
    await click('import-open-5')
    expect($('fees-migration-see-seeArrears')?.getAttribute('href')).toBe('/fees/arrears')
    expect($('fees-migration-see-seeHouses')).toBeNull()
  })
})
