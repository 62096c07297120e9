import { describe, expect, it } from 'vitest'
import {
  bindingStatusLabel,
  digitsOnly,
  formatDate,
  formatDateTime,
  formatMoney,
  isCnMobile,
  maskPhone,
  relationLabel,
  sendCodeLabel,
} from '@/utils/format'
import { getLocale, interpolate, setLocale, t } from '@/i18n'
import { parseSession, serializeSession } from '@/stores/token'
import { comingSoonUrl, PAGES, pageAfterLogin, TAB_PAGES } from '@/config/routes'
import { FEATURES, isFeatureKey } from '@/config/features'
import pagesJson from '../src/pages.json'

describe('formatting', () => {
  it('validates and masks mobile numbers', () => {
    expect(isCnMobile('13812345678')).toBe(true)
    expect(isCnMobile(' 19912345678 ')).toBe(true)
    expect(isCnMobile('12812345678')).toBe(false)
    expect(isCnMobile('1381234567')).toBe(false)
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskPhone('138****5678')).toBe('138****5678')
    expect(digitsOnly('138 1234-5678 99', 11)).toBe('13812345678')
  })

  it('formats times in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-23T16:05:00Z')).toBe('2026-11-24 00:05')
    expect(formatDateTime('2026-11-23T08:05:00+08:00')).toBe('2026-11-23 08:05')
    expect(formatDate('2026-01-31T20:00:00Z')).toBe('2026-02-01')
    expect(formatDateTime('')).toBe('')
    expect(formatDateTime('not a date')).toBe('')
    expect(formatDateTime(null)).toBe('')
  })

  it('formats fen as yuan', () => {
    expect(formatMoney(0)).toBe('¥0.00')
    expect(formatMoney(5)).toBe('¥0.05')
    expect(formatMoney(123450)).toBe('¥1,234.50')
    expect(formatMoney(100000000)).toBe('¥1,000,000.00')
    expect(formatMoney(-300)).toBe('-¥3.00')
    expect(formatMoney(Number.NaN)).toBe('')
  })

  it('labels relations, statuses and the resend countdown', () => {
    expect(relationLabel('owner')).toBe('业主')
    expect(relationLabel('family')).toBe('家庭成员')
    expect(relationLabel('renter')).toBe('租户')
    expect(bindingStatusLabel('pending')).toBe('待物业审核')
    expect(bindingStatusLabel('approved')).toBe('已认证')
    expect(bindingStatusLabel('rejected')).toBe('未通过')
    expect(sendCodeLabel(0)).toBe('获取验证码')
    expect(sendCodeLabel(59)).toBe('59秒后重发')
  })
})

describe('i18n', () => {
  it('translates, interpolates and falls back', () => {
    expect(t('features.bills')).toBe('缴费')
    expect(t('login.welcome', { name: '示范物业' })).toBe('欢迎使用示范物业')
    expect(t('no.such.key')).toBe('no.such.key')
    expect(t('features')).toBe('features')
    expect(interpolate('{a}-{b}', { a: 1 })).toBe('1-{b}')
    setLocale('en')
    try {
      expect(getLocale()).toBe('en')
      expect(t('features.bills')).toBe('Bills')
      expect(t('features.repairs')).toBe('Repairs')
      expect(t('login.welcome', { name: 'Sunny Estates' })).toBe('Welcome to Sunny Estates')
    } finally {
      setLocale('zh-CN')
    }
  })

  it('has a label for every home entry', () => {
    expect(FEATURES.map((f) => t(`features.${f.key}`))).toEqual([
      '缴费',
      '报修',
      '投诉建议',
      '社区公告',
      '访客通行',
      '车辆',
      '社区活动',
      '家政服务',
      '周边商家',
      '投票问卷',
    ])
    expect(isFeatureKey('bills')).toBe(true)
    expect(isFeatureKey('nope')).toBe(false)
  })
})

describe('session token', () => {
  const login = { token: 'tk', expires_at: '2030-01-01T00:00:00Z', user: { id: 1, name: '张三', phone_masked: '138****5678' } }
  it('round-trips and expires', () => {
    const raw = serializeSession(login)
    expect(parseSession(raw, Date.parse('2029-12-31T00:00:00Z'))).toEqual({
      token: 'tk',
      expiresAt: '2030-01-01T00:00:00Z',
      user: login.user,
    })
    expect(parseSession(raw, Date.parse('2030-01-01T00:00:00Z'))).toBeNull()
    expect(parseSession(null)).toBeNull()
    expect(parseSession('{bad json')).toBeNull()
    expect(parseSession(JSON.stringify({ token: '' }))).toBeNull()
  })
})

describe('routes', () => {
  it('sends a user without houses to bind first', () => {
    expect(pageAfterLogin([])).toBe(PAGES.bind)
    expect(pageAfterLogin([{ status: 'pending' }])).toBe(PAGES.home)
    expect(comingSoonUrl('bills')).toBe('/pages/coming-soon/coming-soon?feature=bills')
  })
  it('matches pages.json', () => {
    const paths = pagesJson.pages.map((p) => `/${p.path}`)
    for (const page of Object.values(PAGES)) expect(paths).toContain(page)
    expect(pagesJson.tabBar.list.map((i) => `/${i.pagePath}`)).toEqual([...TAB_PAGES])
    expect(paths[0]).toBe(PAGES.home)
  })
})
