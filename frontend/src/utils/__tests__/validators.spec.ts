import { describe, expect, it } from 'vitest'

import {
  idNumberProblem,
  isChineseMobile,
  isEmail,
  isHexColor,
  isStrongPassword,
  RESERVED_SLUGS,
  slugProblem,
} from '@/utils/validators'

describe('slugProblem', () => {
  it.each(['demo', 'abc', 'green-garden', 'a1b2c3', 'a'.repeat(30)])('accepts %s', (slug) => {
    expect(slugProblem(slug)).toBeNull()
  })

  it.each(['ab', '1demo', 'demo-', 'Demo', 'de_mo', 'de mo', 'a'.repeat(31), ''])(
    'rejects the format of %s',
    (slug) => {
      expect(slugProblem(slug)).toBe('format')
    },
  )

  it('rejects every reserved name', () => {
    expect(RESERVED_SLUGS).toHaveLength(13)
    for (const slug of RESERVED_SLUGS) expect(slugProblem(slug)).toBe('reserved')
  })
})

describe('field rules', () => {
  it('accepts mainland mobile numbers only', () => {
    expect(isChineseMobile('13812345678')).toBe(true)
    expect(isChineseMobile('19912345678')).toBe(true)
    expect(isChineseMobile('12812345678')).toBe(false)
    expect(isChineseMobile('1381234567')).toBe(false)
    expect(isChineseMobile('138123456789')).toBe(false)
  })

  it('checks emails', () => {
    expect(isEmail('admin@example.com')).toBe(true)
    expect(isEmail('admin@example')).toBe(false)
    expect(isEmail('admin example.com')).toBe(false)
  })

  it('wants 10+ characters with letters and digits in passwords', () => {
    expect(isStrongPassword('abcdefgh12')).toBe(true)
    expect(isStrongPassword('abcdefg12')).toBe(false)
    expect(isStrongPassword('abcdefghijk')).toBe(false)
    expect(isStrongPassword('12345678901')).toBe(false)
  })

  it('checks hex colours', () => {
    expect(isHexColor('#1677ff')).toBe(true)
    expect(isHexColor('#1677f')).toBe(false)
    expect(isHexColor('1677ff')).toBe(false)
  })
})

describe('idNumberProblem', () => {
  const today = new Date(Date.UTC(2026, 0, 1))

  it('accepts valid numbers, X check character in either case', () => {
    expect(idNumberProblem('11010519491231002X', today)).toBeNull()
    expect(idNumberProblem('11010519491231002x', today)).toBeNull()
    expect(idNumberProblem(' 320311197001010019 ', today)).toBeNull()
    expect(idNumberProblem('110101199003070011', today)).toBeNull()
  })

  it('names the problem like the server does', () => {
    expect(idNumberProblem('11010519491231002', today)).toBe('format')
    expect(idNumberProblem('1101051949123100AX', today)).toBe('format')
    expect(idNumberProblem('110105190002300011', today)).toBe('birthdate')
    expect(idNumberProblem('440524188001010014', today)).toBe('birthdate')
    expect(idNumberProblem('110105203001010011', today)).toBe('birthdate')
    expect(idNumberProblem('110105194912310021', today)).toBe('checksum')
  })
})
