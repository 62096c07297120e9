import { describe, expect, it } from 'vitest'

import {
  computeChange,
  fenToString,
  normaliseAmount,
  parseFen,
  splitAmount,
  sumAmounts,
} from '@/utils/money'

describe('parseFen / fenToString', () => {
  it('parses decimal strings to whole fen', () => {
    expect(parseFen('123.45')).toBe(12345n)
    expect(parseFen('0.5')).toBe(50n)
    expect(parseFen('.05')).toBe(5n)
    expect(parseFen('7')).toBe(700n)
    expect(parseFen('7.')).toBe(700n)
    expect(parseFen(' 1,234.50 ')).toBe(123450n)
    expect(parseFen('-3')).toBe(-300n)
    expect(parseFen('12.300')).toBe(1230n)
    expect(parseFen(89)).toBe(8900n)
  })

  it('refuses what is not an amount in fen', () => {
    for (const bad of ['', ' ', '.', 'abc', '1.2.3', '12.345', '1e3', '--1', null, undefined]) {
      expect(parseFen(bad)).toBeNull()
    }
  })

  it('formats back to the API decimal string', () => {
    expect(fenToString(12345n)).toBe('123.45')
    expect(fenToString(5n)).toBe('0.05')
    expect(fenToString(0n)).toBe('0.00')
    expect(fenToString(-5n)).toBe('-0.05')
    expect(fenToString(123456789012345n)).toBe('1234567890123.45')
  })

  it('round-trips', () => {
    for (const text of ['0.01', '0.10', '1.00', '99.99', '10000000.00']) {
      expect(fenToString(parseFen(text)!)).toBe(text)
    }
    expect(normaliseAmount('12.5')).toBe('12.50')
    expect(normaliseAmount('x')).toBeNull()
  })

  it('sums without floating-point drift', () => {
    // 0.1 + 0.2 in floating point is 0.30000000000000004
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30')
    expect(sumAmounts(Array(10).fill('0.10'))).toBe('1.00')
    expect(sumAmounts(['89.50', '1.15', '0.35'])).toBe('91.00')
    expect(sumAmounts([])).toBe('0.00')
    expect(sumAmounts(['1.00', null, 'bad'])).toBe('1.00')
  })
})

describe('computeChange', () => {
  it('computes change in fen', () => {
    expect(computeChange('89.50', '100')).toEqual({ ok: true, change: '10.50' })
    expect(computeChange('0.30', '0.50')).toEqual({ ok: true, change: '0.20' })
    expect(computeChange('1234.56', '1234.56')).toEqual({ ok: true, change: '0.00' })
    expect(computeChange('99.99', '200')).toEqual({ ok: true, change: '100.01' })
  })

  it('says how much is missing when the cash is short', () => {
    expect(computeChange('100.00', '99.99')).toEqual({ ok: false, reason: 'short', short: '0.01' })
  })

  it('refuses malformed input', () => {
    expect(computeChange('abc', '100')).toEqual({ ok: false, reason: 'invalid' })
    expect(computeChange('10', '')).toEqual({ ok: false, reason: 'invalid' })
    expect(computeChange('0', '10')).toEqual({ ok: false, reason: 'invalid' })
    expect(computeChange('10', '10.001')).toEqual({ ok: false, reason: 'invalid' })
  })
})

describe('splitAmount', () => {
  it('tells exact, partial and excess apart', () => {
    expect(splitAmount('100.00', '100')).toEqual({ kind: 'exact' })
    expect(splitAmount('60', '100.00')).toEqual({ kind: 'partial', left: '40.00' })
    expect(splitAmount('100.01', '100.00')).toEqual({ kind: 'excess', toBalance: '0.01' })
    expect(splitAmount('50', '0.00')).toEqual({ kind: 'excess', toBalance: '50.00' })
    expect(splitAmount('', '100')).toEqual({ kind: 'invalid' })
    expect(splitAmount('-1', '100')).toEqual({ kind: 'invalid' })
  })
})
