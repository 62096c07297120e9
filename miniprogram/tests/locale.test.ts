/** The owner's language: read from storage at start, sent with every request, switched on 我的. */
import { describe, expect, it, vi } from 'vitest'

const fake = vi.hoisted(() => {
  const stored = new Map<string, string>([['wuye.locale', 'en']])
  return {
    stored,
    platform: {
      kind: 'h5',
      getExtConfig: () => null,
      getHost: () => 'demo.localhost:8000',
      getOrigin: () => 'http://demo.localhost:8000',
      storage: {
        get: (k: string) => stored.get(k) ?? null,
        set: (k: string, v: string) => void stored.set(k, v),
        remove: (k: string) => void stored.delete(k),
      },
      request: vi.fn(async (_options: { headers?: Record<string, string> }) => ({
        status: 200,
        data: { surface: 'public', base_domain: 'localhost' },
      })),
      reLaunch: vi.fn(),
      setNavigationBarColor: vi.fn(),
      setNavigationBarTitle: vi.fn(),
      setTabBarSelectedColor: vi.fn(),
      setTabBarTexts: vi.fn(),
      currentPagePath: vi.fn(() => '/pages/profile/profile'),
    },
  }
})
vi.mock('@/platform', () => ({ platform: fake.platform }))

const { getLocale, setLocale } = await import('@/i18n')
const session = await import('@/stores/session')

describe('the owner’s language', () => {
  it('is applied at start from storage, sent as Accept-Language, switched and kept', async () => {
    try {
      expect(getLocale()).toBe('en')
      await session.api.site()
      expect(fake.platform.request.mock.calls.at(-1)?.[0]).toMatchObject({ headers: { 'Accept-Language': 'en' } })

      session.applyBrandingChrome(true)
      expect(fake.platform.setNavigationBarTitle).toHaveBeenLastCalledWith('Me')
      expect(fake.platform.setTabBarTexts).toHaveBeenLastCalledWith(['Home', 'Me'])

      session.switchLocale('zh-CN', true)
      expect(getLocale()).toBe('zh-CN')
      expect(fake.stored.get('wuye.locale')).toBe('zh-CN')
      expect(fake.platform.setNavigationBarTitle).toHaveBeenLastCalledWith('我的')
      expect(fake.platform.setTabBarTexts).toHaveBeenLastCalledWith(['首页', '我的'])
      await session.api.site()
      expect(fake.platform.request.mock.calls.at(-1)?.[0]).toMatchObject({ headers: { 'Accept-Language': 'zh-hans' } })
    } finally {
      setLocale('zh-CN')
    }
  })
})
