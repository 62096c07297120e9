import { describe, expect, it } from 'vitest'

import { fractionToPercent, percentToFraction } from '@/utils/percent'

describe('commission percent ↔ fraction', () => {
  it.each([
    ['5', '0.0500'],
    ['8.25', '0.0825'],
    ['12.5', '0.1250'],
    ['0', '0.0000'],
    ['0.01', '0.0001'],
    ['99.99', '0.9999'],
    [' 7 ', '0.0700'],
  ])('%s%% → %s', (percent, fraction) => {
    expect(percentToFraction(percent)).toBe(fraction)
  })

  it.each(['', '100', '-1', '5.125', 'abc', '1e1', '5.'])('refuses %j', (percent) => {
    expect(percentToFraction(percent)).toBeNull()
  })

  it.each([
    ['0.0500', '5'],
    ['0.0825', '8.25'],
    ['0.1250', '12.5'],
    ['0.0000', '0'],
    ['0.0001', '0.01'],
    ['0.9999', '99.99'],
  ])('%s → %s%%', (fraction, percent) => {
    expect(fractionToPercent(fraction)).toBe(percent)
  })

  it('shows nothing for what is not a rate', () => {
    expect(fractionToPercent(null)).toBe('')
    expect(fractionToPercent('1.5')).toBe('')
  })
})
