import { describe, expect, it } from 'vitest'

import { jsonResponse } from '@/test/http'
import CorrectionsPage from '@/pages/company/basic-data/CorrectionsPage.vue'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  settle,
  type,
  VIEW,
} from './helpers'

// Each page in its own file: Element Plus keeps popover state per module, and a popover opened
// by one test does not open again after the document is cleared for the next.
const CORRECTION = {
  id: 9,
  person: 41,
  person_name: '王芳',
  current_id_number_masked: '110105********0021',
  name: '王芳芳',
  id_number_masked: '110105********002X',
  status: 'pending',
  reason: '',
  created_at: '2026-03-02T02:00:00Z',
  decided_at: null,
}

describe('CorrectionsPage', () => {
  it('shows old → new, masked, and decides', async () => {
    const all = fakeApi({
      'GET /api/v1/resident-corrections/': () => page([CORRECTION]),
      'POST /api/v1/resident-corrections/9/approve/': () =>
        jsonResponse({ ...CORRECTION, status: 'approved' }),
      'POST /api/v1/resident-corrections/9/reject/': () =>
        jsonResponse({ ...CORRECTION, status: 'rejected' }),
    })
    await mountPage(CorrectionsPage, { path: '/basic-data/corrections' })
    expect(queryOf(calls(all, 'GET', '/api/v1/resident-corrections/')[0]).status).toBe('pending')
    const text = (testid: string) => $(testid)?.textContent?.replace(/\s+/g, '')
    expect(text('correction-name-9')).toBe('王芳→王芳芳')
    expect(text('correction-id-number-9')).toBe('110105********0021→110105********002X')

    await click('correction-approve-9')
    await click('correction-approve-9-confirm')
    expect(calls(all, 'POST', '/api/v1/resident-corrections/9/approve/')).toHaveLength(1)

    await click('correction-reject-9')
    await type('reject-reason', '证件照片不清晰')
    await click('reject-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/resident-corrections/9/reject/')[0])).toEqual({
      reason: '证件照片不清晰',
    })
  })

  it('shows "unchanged" for a field not asked to change, and no decisions to a viewer', async () => {
    fakeApi({
      'GET /api/v1/resident-corrections/': () =>
        page([{ ...CORRECTION, name: '', status: 'rejected', reason: '证件不符' }]),
    })
    await mountPage(CorrectionsPage, { path: '/basic-data/corrections', permissions: VIEW })
    const row = $('correction-row-9')!.closest('tr')!
    expect(row.textContent).toContain('不变')
    expect(row.textContent).toContain('已驳回')
    expect(row.textContent).toContain('证件不符')
    expect($('correction-approve-9')).toBeNull()
  })
})
