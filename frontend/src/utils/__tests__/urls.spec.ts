import { describe, expect, it } from 'vitest'

import { companyAdminUrl, companyLoginUrl } from '@/utils/urls'

describe('company urls', () => {
  it('keeps the scheme and port of the public site', () => {
    const location = { protocol: 'http:', port: '8000' }
    expect(companyLoginUrl('demo', 'localhost', location)).toBe('http://demo.localhost:8000/login')
    expect(companyAdminUrl('demo', 'localhost', location)).toBe('http://demo.localhost:8000/')
  })

  it('omits a default port', () => {
    expect(companyLoginUrl('acme', 'wuye.cn', { protocol: 'https:', port: '' })).toBe(
      'https://acme.wuye.cn/login',
    )
  })
})
