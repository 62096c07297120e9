import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import type { ImportRecord } from '@/api/basicData'
import { importRecord } from '@/components/imports/__tests__/fixtures'
import { jsonResponse } from '@/test/http'
import ImportsPage from '@/pages/company/basic-data/ImportsPage.vue'

import { $, $$, ADMIN, calls, click, fakeApi, MANAGE, mountPage, page, TREE, VIEW } from './helpers'

const base = importRecord

const INVALID = base({
  status: 'invalid',
  job: { id: 'j5', status: 'succeeded', progress: 100, total: 100, message: '' },
  counts: { rows: 3, create: 2, update: 0, unchanged: 0, errors: 1 },
  error_total: 1,
  message: '发现 1 个问题，请下载错误报告修改后重新上传。',
  report_url: '/api/v1/imports/5/report/',
  errors: [{ row: 3, column: '手机号', message: '手机号格式不正确。' }],
})

const READY = base({
  id: 6,
  file_name: '住户-改.xlsx',
  status: 'ready',
  can_commit: true,
  job: { id: 'j6', status: 'succeeded', progress: 100, total: 100, message: '' },
  counts: { rows: 3, create: 3, update: 0, unchanged: 0, errors: 0 },
  message: '校验通过，可以确认导入。',
})

async function upload(name: string) {
  const input = $('import-file-input') as HTMLInputElement
  const file = new File(['x'], name)
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

describe('ImportsPage', () => {
  it('lists the dry run warnings (placeholders, relations that end) beside a ready import', async () => {
    const warned = base({
      ...READY,
      warnings: [
        {
          row: 2,
          column: '手机号',
          message: '“18999999999”是占位值，不是真实的手机号：按未填导入，请补录。',
        },
        {
          row: 3,
          column: '姓名',
          message: '将结束 张伟 的业主关系：文件中该房屋的业主已不含此人。',
        },
      ],
    })
    fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'POST /api/v1/imports/': () => jsonResponse(warned, 202),
      'GET /api/v1/imports/6/': () => jsonResponse(warned),
    })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: ADMIN })
    await click('import-kind-residents')
    await upload('住户.xlsx')
    const rows = $$('[data-testid="import-warnings"] tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].textContent).toContain('18999999999')
    expect($('import-warning-1')?.textContent).toContain('将结束 张伟')
    expect(($('import-commit') as HTMLButtonElement).disabled).toBe(false)
  })

  it('validates, shows the problems, then imports the corrected file', async () => {
    vi.useFakeTimers()
    const states: Record<number, ImportRecord[]> = {
      5: [
        base({ job: { id: 'j5', status: 'running', progress: 80, total: 100, message: '' } }),
        INVALID,
      ],
      6: [base({ id: 6, file_name: '住户-改.xlsx' }), READY],
    }
    let uploads = 0
    let committed = false
    const all = fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'POST /api/v1/imports/': () =>
        jsonResponse(++uploads === 1 ? base({}) : base({ id: 6, file_name: '住户-改.xlsx' }), 202),
      'GET /api/v1/imports/5/': () =>
        jsonResponse(states[5].length > 1 ? states[5].shift() : states[5][0]),
      'GET /api/v1/imports/6/': () =>
        jsonResponse(
          committed
            ? base({
                ...READY,
                status: 'done',
                message: '导入完成。', // the server's own words (tenants/imports/services.py)
                can_commit: false,
                committed_at: '2026-03-01T03:00:00Z',
              })
            : states[6].length > 1
              ? states[6].shift()
              : states[6][0],
        ),
      'POST /api/v1/imports/6/commit/': () => {
        committed = true
        return jsonResponse(
          base({
            ...READY,
            status: 'committing',
            can_commit: false,
            job: { id: 'j7', status: 'running', progress: 10, total: 100, message: '' },
          }),
          202,
        )
      },
    })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: ADMIN })
    expect($('import-residents-need-reveal')).toBeNull()

    await click('import-kind-residents')
    expect($('import-template')?.getAttribute('href')).toBe('/api/v1/imports/templates/residents/')

    await upload('住户.xlsx')
    const form = calls(all, 'POST', '/api/v1/imports/')[0].body as FormData
    expect(form.get('kind')).toBe('residents')
    expect((form.get('file') as File).name).toBe('住户.xlsx')
    expect($('import-current')?.dataset.status).toBe('validating')
    expect($('import-status')?.textContent).toContain('校验中')
    expect($('job-progress')?.textContent).toContain('30%')
    expect(($('import-commit') as HTMLButtonElement).disabled).toBe(true)

    await vi.advanceTimersByTimeAsync(1000)
    expect($('job-progress')?.textContent).toContain('80%')

    await vi.advanceTimersByTimeAsync(1000)
    expect($('import-current')?.dataset.status).toBe('invalid')
    expect($('job-progress')).toBeNull()
    expect($('import-count-create')?.textContent?.trim()).toBe('2')
    expect($('import-count-errors')?.textContent?.trim()).toBe('1')
    expect($('import-message')?.textContent).toContain('发现 1 个问题')
    const errorRows = $$('[data-testid="import-errors"] tbody tr')
    expect(errorRows).toHaveLength(1)
    expect(errorRows[0].textContent).toContain('3')
    expect(errorRows[0].textContent).toContain('手机号')
    expect(errorRows[0].textContent).toContain('手机号格式不正确。')
    expect($('import-report')?.getAttribute('href')).toBe('/api/v1/imports/5/report/')
    expect(($('import-commit') as HTMLButtonElement).disabled).toBe(true)
    // Settled: no more polling.
    const polls = calls(all, 'GET', '/api/v1/imports/5/').length
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls(all, 'GET', '/api/v1/imports/5/')).toHaveLength(polls)

    await upload('住户-改.xlsx')
    expect($('import-file-name')?.textContent).toBe('住户-改.xlsx')
    expect($('import-errors')).toBeNull()
    await vi.advanceTimersByTimeAsync(2000)
    expect($('import-current')?.dataset.status).toBe('ready')
    expect($('import-errors')).toBeNull()
    expect($('import-report')).toBeNull()
    const commit = $('import-commit') as HTMLButtonElement
    expect(commit.disabled).toBe(false)

    await click('import-commit')
    expect(calls(all, 'POST', '/api/v1/imports/6/commit/')).toHaveLength(1)
    expect($('import-current')?.dataset.status).toBe('committing')
    expect($('job-progress')?.textContent).toContain('10%')

    const treeLoads = calls(all, 'GET', '/api/v1/estates/tree/').length
    await vi.advanceTimersByTimeAsync(1000)
    expect($('import-current')?.dataset.status).toBe('done')
    expect($('import-done')).not.toBeNull()
    // said once: the alert carries the server's message, with no line of its own and no toast
    expect(document.body.textContent?.split('导入完成').length).toBe(2)
    expect($('import-message')).toBeNull()
    expect($('import-done')?.textContent).toContain('导入完成。')
    expect($('import-commit')).toBeNull()
    expect(calls(all, 'GET', '/api/v1/estates/tree/').length).toBe(treeLoads + 1)
    expect(calls(all, 'GET', '/api/v1/imports/').length).toBeGreaterThanOrEqual(3)
  })

  it('asks the estate of an HC workbook once, then shows its notes and problems by sheet', async () => {
    const hc = base({
      id: 8,
      kind: 'hc_assets',
      kind_label: 'HC 资产表',
      file_name: 'hc.xlsx',
      status: 'invalid',
      estate: 1,
      estate_name: '阳光花园',
      job: { id: 'j8', status: 'succeeded', progress: 100, total: 100, message: '' },
      counts: {
        rows: 13,
        create: 0,
        update: 0,
        unchanged: 0,
        errors: 1,
        parking_spaces: 2,
        fee_items_create: 3,
        unsold_with_people: 1,
      },
      error_total: 1,
      notes: [
        'HC 资产导入表（阳光花园）：已读取 房屋信息 4 行。',
        '车位信息：2 个车位未导入（系统暂无车位数据）。',
      ],
      errors: [
        {
          sheet: '房屋信息',
          row: 2,
          column: '楼栋编号',
          message: '“9”：楼栋单元中没有这个楼栋编号。',
        },
      ],
    })
    const all = fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'POST /api/v1/imports/': () => jsonResponse(hc, 202),
    })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: ADMIN })
    await click('import-kind-hc_assets')
    expect($('import-template')).toBeNull() // HC's own files: no template of ours
    expect($('import-hc-hint')).not.toBeNull()
    await click('import-upload')
    expect($('import-upload-error')?.textContent).toContain('请选择导入到哪个小区')
    expect(calls(all, 'POST', '/api/v1/imports/')).toHaveLength(0)

    await click('import-estate')
    await click('import-estate-1')
    await upload('hc.xlsx')
    const form = calls(all, 'POST', '/api/v1/imports/')[0].body as FormData
    expect([form.get('kind'), form.get('estate')]).toEqual(['hc_assets', '1'])
    expect($('import-estate-name')?.textContent).toBe('阳光花园')
    expect($('import-note-1')?.textContent).toContain('2 个车位未导入')
    // What the workbook brings over beyond houses and people, by name (a count it lacks reads 0).
    expect($('import-extra-counts')?.textContent).toContain('新建收费项目')
    expect($('import-count-fee_items_create')?.textContent).toBe('3')
    expect($('import-count-unsold_with_people')?.textContent).toBe('1')
    expect($('import-count-parking_spaces')?.textContent).toBe('2')
    expect($('import-count-ended')?.textContent).toBe('0')
    const row = $$('[data-testid="import-errors"] tbody tr')[0]
    expect(row.textContent).toContain('房屋信息')
    expect(row.textContent).toContain('楼栋编号')
    expect(row.textContent).toContain('“9”')
  })

  it('keeps watching a busy import through failures, backing off, until the page goes away', async () => {
    vi.useFakeTimers()
    let reads = 0
    const all = fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'POST /api/v1/imports/': () => jsonResponse(base({}), 202),
      'GET /api/v1/imports/5/': () =>
        ++reads === 1
          ? jsonResponse({ code: 'server_error', message: '暂时不可用', fields: {} }, 503)
          : jsonResponse(
              base({ job: { id: 'j5', status: 'running', progress: 60, total: 100, message: '' } }),
            ),
    })
    const { wrapper } = await mountPage(ImportsPage, { path: '/basic-data/imports' })
    await upload('住户.xlsx')
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls(all, 'GET', '/api/v1/imports/5/')).toHaveLength(1) // failed
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls(all, 'GET', '/api/v1/imports/5/')).toHaveLength(1) // backing off: 2 s
    await vi.advanceTimersByTimeAsync(1000)
    expect($('job-progress')?.textContent).toContain('60%')
    await vi.advanceTimersByTimeAsync(1000) // back to the interval
    expect(calls(all, 'GET', '/api/v1/imports/5/')).toHaveLength(3)

    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls(all, 'GET', '/api/v1/imports/5/')).toHaveLength(3)
  })

  it('refuses a file that is not a spreadsheet before uploading', async () => {
    const all = fakeApi({ 'GET /api/v1/imports/': () => page([]) })
    await mountPage(ImportsPage, { path: '/basic-data/imports' })
    await upload('照片.png')
    expect($('import-upload-error')?.textContent).toContain('只支持 .xlsx、.xls 或 .csv 文件')
    expect(calls(all, 'POST', '/api/v1/imports/')).toHaveLength(0)
  })

  it("shows the server's reason when it refuses the file", async () => {
    fakeApi({
      'GET /api/v1/imports/': () => page([]),
      'POST /api/v1/imports/': () =>
        jsonResponse(
          {
            code: 'bad_file',
            message: '文件不是有效的 Excel 文件。',
            fields: { file: ['文件不是有效的 Excel 文件。'] },
          },
          400,
        ),
    })
    await mountPage(ImportsPage, { path: '/basic-data/imports' })
    await upload('伪装.xlsx')
    expect($('import-upload-error')?.textContent).toContain('文件不是有效的 Excel 文件。')
    expect($('import-current')).toBeNull()
  })

  it('opens a previous import from the history', async () => {
    fakeApi({
      'GET /api/v1/imports/': () => page([{ ...INVALID, errors: undefined }]),
      'GET /api/v1/imports/5/': () => jsonResponse(INVALID),
    })
    await mountPage(ImportsPage, { path: '/basic-data/imports' })
    expect($('import-row-5')?.textContent).toBe('住户.xlsx')
    await click('import-open-5')
    expect($('import-current')?.dataset.status).toBe('invalid')
    expect($$('[data-testid="import-errors"] tbody tr')).toHaveLength(1)
  })

  it('offers residents only to a role that may see whole phone and ID numbers', async () => {
    fakeApi({ 'GET /api/v1/imports/': () => page([]) })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: MANAGE })
    expect($('import-kind-houses')).not.toBeNull()
    expect($('import-kind-residents')).toBeNull()
    expect($('import-residents-need-reveal')?.textContent).toContain('住户导入')
    expect($('import-upload')).not.toBeNull()
  })

  it('points a company switching systems to the fees migration, for those who may use it', async () => {
    fakeApi({ 'GET /api/v1/imports/': () => page([]) })
    await mountPage(ImportsPage, {
      path: '/basic-data/imports',
      permissions: [...ADMIN, 'fees.manage'],
      modules: ['basic_data', 'fees'],
    })
    expect($('import-fees-migration')?.getAttribute('href')).toBe('/fees/migration')
  })

  it('says nothing of the fees migration to those who may not use it', async () => {
    fakeApi({ 'GET /api/v1/imports/': () => page([]) })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: ADMIN })
    expect($('import-fees-elsewhere')).toBeNull()
  })

  it('offers no upload to a viewer', async () => {
    fakeApi({ 'GET /api/v1/imports/': () => page([]) })
    await mountPage(ImportsPage, { path: '/basic-data/imports', permissions: VIEW })
    expect($('import-upload')).toBeNull()
  })
})
