import { describe, expect, it } from 'vitest'
import {
  absoluteUrl,
  companyFromHost,
  DEFAULT_PRIMARY_COLOR,
  frontColorFor,
  isHexColor,
  parseExtConfig,
  resolveBranding,
  resolveCompanyContext,
} from '@/config/company'
import type { SiteResponse } from '@/api/types'
import extTemplate from '../src/ext.json'

const site: SiteResponse = {
  surface: 'company',
  company: {
    slug: 'demo',
    name: '示范物业有限公司',
    branding: { display_name: '示范物业', logo_url: '/media/demo/logo.png', primary_color: '#0a7d5a', miniprogram_title: '示范社区' },
  },
}

describe('companyFromHost', () => {
  it.each([
    ['demo.localhost:8000', 'demo'],
    ['Demo.LocalHost', 'demo'],
    ['demo.wuye.example.com', 'demo'],
    ['green-park.wuye.example', 'green-park'],
    ['localhost:8000', null],
    ['127.0.0.1:8000', null],
    ['[::1]:8000', null],
    ['wuye.example', null],
    ['www.wuye.example.com', null],
    ['', null],
    [null, null],
  ])('%s → %s', (host, slug) => {
    expect(companyFromHost(host)).toBe(slug)
  })

  it('uses a known base domain strictly', () => {
    expect(companyFromHost('demo.wuye.example:443', 'wuye.example')).toBe('demo')
    expect(companyFromHost('a.b.wuye.example', 'wuye.example')).toBeNull()
    expect(companyFromHost('demo.other.example', 'wuye.example')).toBeNull()
  })
})

describe('parseExtConfig', () => {
  it('reads the ext object from the ext.json template or the bare ext object', () => {
    const full = parseExtConfig(extTemplate)
    expect(full).toEqual({
      company: 'demo',
      apiBase: 'http://demo.localhost:8000',
      name: '示范物业',
      primaryColor: '#1677ff',
      logoUrl: undefined,
      title: '示范物业',
    })
    expect(parseExtConfig(extTemplate.ext)).toEqual(full)
  })

  it('rejects configs without a company or API base and drops bad colours', () => {
    expect(parseExtConfig(null)).toBeNull()
    expect(parseExtConfig({})).toBeNull()
    expect(parseExtConfig({ company: 'demo' })).toBeNull()
    expect(parseExtConfig({ company: 'demo', apiBase: 'https://demo.x/', primaryColor: 'red' })).toEqual({
      company: 'demo',
      apiBase: 'https://demo.x',
      name: undefined,
      primaryColor: undefined,
      logoUrl: undefined,
      title: undefined,
    })
  })
})

describe('resolveCompanyContext', () => {
  it('H5: slug from the host, same-origin API, media from the page origin', () => {
    expect(
      resolveCompanyContext({
        kind: 'h5',
        ext: { company: 'x', apiBase: 'https://x' },
        host: 'demo.localhost:8000',
        origin: 'http://demo.localhost:8000',
      }),
    ).toEqual({ slug: 'demo', apiBase: '', mediaBase: 'http://demo.localhost:8000', ext: null })
  })
  it('mini-program: slug and API base from the ext config', () => {
    const ctx = resolveCompanyContext({ kind: 'mp-weixin', ext: extTemplate.ext, host: null })
    expect(ctx.slug).toBe('demo')
    expect(ctx.apiBase).toBe('http://demo.localhost:8000')
    expect(ctx.mediaBase).toBe('http://demo.localhost:8000')
  })
  it('mini-program without ext config: no company', () => {
    expect(resolveCompanyContext({ kind: 'mp-weixin', ext: null, host: null })).toEqual({ slug: null, apiBase: '', mediaBase: '', ext: null })
  })
})

describe('resolveBranding', () => {
  const h5 = resolveCompanyContext({ kind: 'h5', ext: null, host: 'demo.localhost:8000', origin: 'http://demo.localhost:8000' })
  const mp = resolveCompanyContext({ kind: 'mp-weixin', ext: extTemplate.ext, host: null })

  it('uses the site API branding', () => {
    expect(resolveBranding(h5, site)).toEqual({
      slug: 'demo',
      name: '示范物业',
      title: '示范社区',
      primaryColor: '#0a7d5a',
      // absolute: uni-app's H5 <image> would put its base (/h5/) before a root-relative path
      logoUrl: 'http://demo.localhost:8000/media/demo/logo.png',
    })
  })

  it('makes relative logo URLs absolute in the mini-program', () => {
    expect(resolveBranding(mp, site).logoUrl).toBe('http://demo.localhost:8000/media/demo/logo.png')
  })

  it('falls back to the ext config before the site loads', () => {
    expect(resolveBranding(mp, null)).toEqual({
      slug: 'demo',
      name: '示范物业',
      title: '示范物业',
      primaryColor: '#1677ff',
      logoUrl: '',
    })
  })

  it('falls back field by field: company name, default colour, name as title', () => {
    const sparse: SiteResponse = {
      surface: 'company',
      company: { slug: 'p', name: '绿园物业', branding: { display_name: '', logo_url: null, primary_color: 'nope', miniprogram_title: '' } },
    }
    expect(resolveBranding(h5, sparse)).toEqual({
      slug: 'p',
      name: '绿园物业',
      title: '绿园物业',
      primaryColor: DEFAULT_PRIMARY_COLOR,
      logoUrl: '',
    })
  })

  it('ignores a non-company site (platform host) and uses the defaults', () => {
    const b = resolveBranding(h5, { surface: 'public', base_domain: 'localhost' })
    expect(b.name).toBe('物业服务')
    expect(b.primaryColor).toBe(DEFAULT_PRIMARY_COLOR)
    expect(b.slug).toBe('demo')
  })
})

describe('colour helpers', () => {
  it('validates hex colours', () => {
    expect(isHexColor('#1677ff')).toBe(true)
    expect(isHexColor('#FFF')).toBe(true)
    expect(isHexColor('1677ff')).toBe(false)
    expect(isHexColor('#12345')).toBe(false)
    expect(isHexColor(undefined)).toBe(false)
  })
  it('picks a readable navigation-bar text colour', () => {
    expect(frontColorFor('#1677ff')).toBe('#ffffff')
    expect(frontColorFor('#ffd400')).toBe('#000000')
    expect(frontColorFor('#fff')).toBe('#000000')
  })
  it('absolutizes URLs', () => {
    expect(absoluteUrl('https://cdn.x/logo.png', 'https://a')).toBe('https://cdn.x/logo.png')
    expect(absoluteUrl('media/l.png', 'https://a/')).toBe('https://a/media/l.png')
    expect(absoluteUrl('/media/l.png', '')).toBe('/media/l.png')
    expect(absoluteUrl('', 'https://a')).toBe('')
  })
})
