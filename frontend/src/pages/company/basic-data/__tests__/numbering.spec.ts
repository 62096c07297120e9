import { describe, expect, it } from 'vitest'

import {
  formatHouseNumber,
  numbersCollide,
  previewNumbers,
  toServerPattern,
} from '@/pages/company/basic-data/numbering'

describe('formatHouseNumber (Python str.format, as the server applies it)', () => {
  it.each([
    ['{floor}{index:02d}', 18, 1, '1801'],
    ['{floor}{index:02d}', 1, 12, '112'],
    ['{floor}{index}', 3, 4, '34'],
    ['{floor:02d}-{index:02d}', 3, 4, '03-04'],
    ['{floor}{index:03}', 2, 7, '2007'],
    ['A{floor}{index:02d}', 5, 1, 'A501'],
    ['{{{floor}}}', 5, 1, '{5}'],
    ['{楼层}{序号:02d}', 18, 1, '1801'], // a zh-CN screen's names for the same fields
    ['{楼层}-{index}', 3, 4, '3-4'],
  ])('%s with floor %i, index %i → %s', (pattern, floor, index, expected) => {
    expect(formatHouseNumber(pattern, { floor, index })).toBe(expected)
  })

  it.each(['{room}', '{}', '{floor', 'floor}', '{index:x}', '{index:>3}', ''])(
    'rejects %j',
    (pattern) => {
      expect(formatHouseNumber(pattern, { floor: 1, index: 1 })).toBeNull()
    },
  )
})

describe('previewNumbers', () => {
  it('shows the first floor and the top floor', () => {
    expect(previewNumbers('{floor}{index:02d}', 18, 2)).toEqual({
      first: ['101', '102'],
      last: ['1801', '1802'],
    })
    expect(previewNumbers('{floor}{index:02d}', 6, 8, 3)).toEqual({
      first: ['101', '102', '103'],
      last: ['606', '607', '608'],
    })
  })

  it('has no top floor for a one-floor building, and nothing for bad input', () => {
    expect(previewNumbers('{floor}{index:02d}', 1, 2)).toEqual({ first: ['101', '102'], last: [] })
    expect(previewNumbers('{nope}', 18, 2)).toBeNull()
  })
})

describe('numbersCollide', () => {
  it('spots patterns that repeat numbers in a unit', () => {
    expect(numbersCollide('{floor}{index:02d}', 18, 4)).toBe(false)
    expect(numbersCollide('{floor}', 18, 2)).toBe(true)
    expect(numbersCollide('{index}', 2, 2)).toBe(true)
    // 1-11 and 11-1 both give "111" without padding.
    expect(numbersCollide('{floor}{index}', 12, 11)).toBe(true)
  })
})

describe('toServerPattern', () => {
  it.each([
    ['{楼层}{序号:02d}', '{floor}{index:02d}'],
    ['A{楼层}-{序号}', 'A{floor}-{index}'],
    ['{floor}{index:03}', '{floor}{index:03}'],
    ['{{楼层}}{楼层}', '{{楼层}}{floor}'],
    ['{room}', '{room}'], // left for the client's check (and the server's) to refuse
  ])('%s → %s', (pattern, expected) => {
    expect(toServerPattern(pattern)).toBe(expected)
  })
})
