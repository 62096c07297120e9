import { describe, expect, it } from 'vitest'
import {
  idCheckCharacter,
  idNumberMessage,
  idNumberProblem,
  isValidIdNumber,
  maskIdNumber,
  normaliseIdNumber,
} from '@/utils/identity'

const NOW = new Date('2026-06-01T04:00:00Z')

describe('Chinese ID number (GB 11643)', () => {
  it('computes the MOD 11-2 check character, X for 10', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X')
    expect(idCheckCharacter('32010219851111123')).toBe('9')
    expect(idCheckCharacter('11010119900307001')).toBe('1')
  })

  it('accepts valid numbers, a lower-case x and surrounding spaces', () => {
    expect(idNumberProblem('11010519491231002X', NOW)).toBeNull()
    expect(idNumberProblem(' 11010519491231002x ', NOW)).toBeNull()
    expect(isValidIdNumber('320102198511111239', NOW)).toBe(true)
    expect(isValidIdNumber('110101199003070011', NOW)).toBe(true)
    expect(normaliseIdNumber(' 11010519491231002x ')).toBe('11010519491231002X')
  })

  it('rejects a wrong length or characters', () => {
    for (const bad of ['', '1101051949123100', '1101051949123100211', '11010519491231002Y', 'X1010519491231002X', '110105 19491231002']) {
      expect(idNumberProblem(bad, NOW)).toBe('format')
    }
  })

  it('rejects impossible or future birth dates', () => {
    expect(idNumberProblem('110105194902300021', NOW)).toBe('birthDate') // 30 February
    expect(idNumberProblem('110105189912310021', NOW)).toBe('birthDate') // before 1900
    expect(idNumberProblem('110105202701010021', NOW)).toBe('birthDate') // not born yet
  })

  it('rejects a wrong check character (one mistyped digit)', () => {
    expect(idNumberProblem('110105194912310021', NOW)).toBe('checksum')
    expect(idNumberProblem('32010219851111123X', NOW)).toBe('checksum')
    expect(idNumberProblem('320102198511111238', NOW)).toBe('checksum')
  })

  it('explains each problem in Chinese', () => {
    expect(idNumberMessage('format')).toBe('身份证号须为18位：17位数字加1位数字或X')
    expect(idNumberMessage('birthDate')).toBe('身份证号中的出生日期无效')
    expect(idNumberMessage('checksum')).toBe('身份证号校验位不正确，请核对')
  })

  it('masks the birth date like the backend', () => {
    expect(maskIdNumber('11010519491231002x')).toBe('110105********002X')
    expect(maskIdNumber('')).toBe('')
    expect(maskIdNumber('12345')).toBe('*****')
  })
})
