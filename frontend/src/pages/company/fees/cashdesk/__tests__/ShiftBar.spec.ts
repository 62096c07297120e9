import { describe, expect, it } from 'vitest'

import { $, click, fakeApi, mountPage } from '@/pages/company/basic-data/__tests__/helpers'
import ShiftBar from '@/pages/company/fees/cashdesk/ShiftBar.vue'
import { jsonResponse } from '@/test/http'

const SHIFT = {
  id: 3,
  cashier: 1,
  cashier_name: 'cashier',
  opened_at: '2026-12-01T01:00:00Z',
  opening_float: '100.00',
  closed_at: null,
  counted_cash: null,
  note: '',
}

function withSummary(summary: Record<string, unknown>) {
  fakeApi({ 'GET /api/v1/cashier-shifts/current/': () => jsonResponse({ ...SHIFT, summary }) })
  return mountPage(ShiftBar, { path: '/fees/cashdesk', permissions: ['fees.view', 'fees.collect'] })
}

const BY_METHOD = [{ method: 'cash', count: 2, total: '273.75' }]

describe('ShiftBar', () => {
  it('says what cash left the drawer when the expected cash is less than what came in', async () => {
    await withSummary({
      by_method: BY_METHOD,
      cash_refunded: '23.75',
      cash_voided: '50.00',
      expected_cash: '300.00',
    })
    await click('shift-close')
    expect($('shift-expected')!.textContent).toBe('¥300.00')
    const out = $('shift-cash-out')!.textContent!
    expect(out).toContain('¥23.75')
    expect(out).toContain('¥50.00')
  })

  it('says nothing of cash out when none left', async () => {
    await withSummary({
      by_method: BY_METHOD,
      cash_refunded: '0.00',
      cash_voided: '0.00',
      expected_cash: '373.75',
    })
    await click('shift-close')
    expect($('shift-expected')!.textContent).toBe('¥373.75')
    expect($('shift-cash-out')).toBeNull()
  })
})
