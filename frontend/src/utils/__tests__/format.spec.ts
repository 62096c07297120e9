import { describe, expect, it } from 'vitest'

import { formatDateTime, formatYuan, maskPhone } from '@/utils/format'

describe('formatYuan', () => {
  it.each([
    ['1234.5', '¥1,234.50'],
    ['0', '¥0.00'],
    ['12', '¥12.00'],
    ['1234567.891', '¥1,234,567.89'],
    ['0.005', '¥0.01'],
    ['0.004', '¥0.00'],
    ['2.675', '¥2.68'],
    ['-1234.5', '-¥1,234.50'],
    ['-0.001', '¥0.00'],
    ['.5', '¥0.50'],
    ['999.995', '¥1,000.00'],
  ])('%s → %s', (input, expected) => {
    expect(formatYuan(input)).toBe(expected)
  })

  it('keeps every digit of amounts a float cannot hold', () => {
    expect(formatYuan('90071992547409931.13')).toBe('¥90,071,992,547,409,931.13')
  })

  it.each([[''], ['abc'], ['1e3'], ['1,000'], ['.'], [null], [undefined]])(
    'renders %s as a dash',
    (input) => {
      expect(formatYuan(input)).toBe('—')
    },
  )
})

describe('maskPhone', () => {
  it('hides the middle four digits of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
  })

  it('leaves already masked or empty values alone', () => {
    expect(maskPhone('138****5678')).toBe('138****5678')
    expect(maskPhone('')).toBe('')
    expect(maskPhone(null)).toBe('')
  })
})

describe('formatDateTime', () => {
  it('shows Asia/Shanghai wall time', () => {
    expect(formatDateTime('2026-01-01T16:30:00Z')).toBe('2026-01-02 00:30')
  })

  it('renders missing values as a dash', () => {
    expect(formatDateTime(null)).toBe('—')
  })
})
