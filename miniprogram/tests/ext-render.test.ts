import { describe, expect, it } from 'vitest'
import { parseArgs, renderExtJson } from '../scripts/lib/ext-render.mjs'
import { parseExtConfig } from '@/config/company'

const site = {
  surface: 'company',
  company: {
    slug: 'demo',
    name: '示范物业有限公司',
    branding: {
      display_name: '示范物业',
      logo_url: '/media/demo/logo.png',
      primary_color: '#0a7d5a',
      miniprogram_title: '示范社区',
    },
  },
}

describe('renderExtJson', () => {
  it('renders ext.json from a fixed site payload', () => {
    expect(renderExtJson(site, { slug: 'demo', api: 'https://demo.wuye.example/', appid: 'wx123' })).toEqual({
      extEnable: true,
      extAppid: 'wx123',
      directCommit: false,
      ext: {
        company: 'demo',
        apiBase: 'https://demo.wuye.example',
        name: '示范物业',
        primaryColor: '#0a7d5a',
        logoUrl: 'https://demo.wuye.example/media/demo/logo.png',
        title: '示范社区',
      },
      window: {
        navigationBarTitleText: '示范社区',
        navigationBarBackgroundColor: '#0a7d5a',
        navigationBarTextStyle: 'white',
      },
    })
  })

  it('produces what the app reads back as its company config', () => {
    const ext = renderExtJson(site, { slug: 'demo', api: 'http://demo.localhost:8000', appid: 'wx123' })
    expect(parseExtConfig(ext)).toMatchObject({ company: 'demo', apiBase: 'http://demo.localhost:8000', primaryColor: '#0a7d5a' })
  })

  it('falls back for missing or bad branding', () => {
    const ext = renderExtJson(
      { surface: 'company', company: { slug: 'p', name: '绿园物业', branding: { primary_color: 'green', logo_url: 'https://cdn.x/l.png' } } },
      { slug: 'p', api: 'http://p.localhost:8000', appid: 'wx9' },
    )
    expect(ext.ext).toEqual({
      company: 'p',
      apiBase: 'http://p.localhost:8000',
      name: '绿园物业',
      primaryColor: '#1677ff',
      logoUrl: 'https://cdn.x/l.png',
      title: '绿园物业',
    })
    const light = renderExtJson(
      { surface: 'company', company: { slug: 'p', name: 'P', branding: { primary_color: '#ffd400' } } },
      { slug: 'p', api: 'http://p.localhost:8000', appid: 'wx9' },
    )
    expect(light.window.navigationBarTextStyle).toBe('black')
  })

  it('refuses a platform site, a slug mismatch, bad options', () => {
    const opts = { slug: 'demo', api: 'http://demo.localhost:8000', appid: 'wx1' }
    expect(() => renderExtJson({ surface: 'platform', company: null }, opts)).toThrow(/not a company site/)
    expect(() => renderExtJson(site, { ...opts, slug: 'other' })).toThrow(/serves company "demo", not "other"/)
    expect(() => renderExtJson(site, { ...opts, appid: '' })).toThrow(/--appid/)
    expect(() => renderExtJson(site, { ...opts, api: 'demo.localhost' })).toThrow(/--api/)
    expect(() => renderExtJson(site, { ...opts, api: 'https://demo.x/path' })).toThrow(/--api/)
  })
})

describe('parseArgs', () => {
  it('reads --k v and --k=v with a default output', () => {
    expect(parseArgs(['--slug', 'demo', '--api=http://demo.localhost:8000', '--appid', 'wx123'])).toEqual({
      slug: 'demo',
      api: 'http://demo.localhost:8000',
      appid: 'wx123',
      out: 'src/ext.json',
    })
    expect(parseArgs(['--slug', 'a', '--out', '/tmp/e.json']).out).toBe('/tmp/e.json')
  })
  it('rejects unknown or valueless options', () => {
    expect(() => parseArgs(['--bogus', '1'])).toThrow(/unknown option/)
    expect(() => parseArgs(['--slug'])).toThrow(/needs a value/)
    expect(() => parseArgs(['demo'])).toThrow(/unexpected argument/)
  })
})
