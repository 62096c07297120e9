import { describe, expect, it } from 'vitest'

import { columnMinWidth, headerWidth } from '@/components/tableWidth'

describe('headerWidth', () => {
  it('counts full-width characters wider than the others', () => {
    // 4 CJK + （ ） full width, "m²" narrow, the padding and the sort arrows
    expect(headerWidth('建筑面积（m²）', true)).toBe(Math.ceil(6 * 14 + 2 * 8.5 + 28 + 24))
    expect(headerWidth('状态')).toBe(2 * 14 + 28)
    expect(headerWidth('Status')).toBeLessThan(headerWidth('状态状态状'))
  })
})

describe('columnMinWidth', () => {
  it('never goes below what the title needs', () => {
    expect(columnMinWidth('逾期 180 天以上', { minWidth: 100 })).toBe(
      headerWidth('逾期 180 天以上'),
    )
    expect(columnMinWidth('状态', { minWidth: 100 })).toBe(100)
    expect(columnMinWidth('状态', { minWidth: '120px' })).toBe(120)
    expect(columnMinWidth('状态')).toBe(headerWidth('状态'))
  })

  it('leaves a relative width alone', () => {
    expect(columnMinWidth('状态', { minWidth: '20%' })).toBe('20%')
  })
})
