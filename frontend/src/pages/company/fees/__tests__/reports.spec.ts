import { describe, expect, it } from 'vitest'

import { nothingDue, ratePercent, rateText } from '../reports'

describe('report figures', () => {
  it('turns a 4-place rate into a percent exactly', () => {
    expect(ratePercent('0.9512')).toBe(95.12)
    expect(ratePercent('1.0000')).toBe(100)
    expect(ratePercent('0.0001')).toBe(0.01)
    expect(ratePercent(null)).toBeNull()
    expect(rateText('0.5')).toBe('50.00%')
    expect(rateText(null)).toBe('—')
  })

  it('knows when nothing was due (the empty state, not a chart of zeros)', () => {
    const line = {
      period_start: '2026-01-01',
      period_end: '2026-02-01',
      due: '0.00',
      paid: '0.00',
      outstanding: '0.00',
      charges: 0,
      rate: null,
    }
    expect(nothingDue([line, line])).toBe(true)
    expect(nothingDue([line, { ...line, due: '120.00', charges: 1 }])).toBe(false)
  })
})
