import { describe, expect, it, vi } from 'vitest'
import { createPlatform } from '@/platform/create'
import type { UniLike } from '@/platform/create'
import { PlatformError } from '@/platform/types'
import { TAB_PAGES } from '@/config/routes'

function fakeUni(overrides: Partial<UniLike> = {}) {
  const store = new Map<string, unknown>()
  const uni: UniLike = {
    request: vi.fn((o: any) => o.success?.({ statusCode: 201, data: { ok: true } })),
    getStorageSync: (k: string) => (store.has(k) ? store.get(k) : ''),
    setStorageSync: (k: string, v: unknown) => void store.set(k, v),
    removeStorageSync: (k: string) => void store.delete(k),
    showToast: vi.fn(),
    showModal: vi.fn((o: any) => o.success?.({ confirm: true })),
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    switchTab: vi.fn(),
    navigateBack: vi.fn(),
    setNavigationBarColor: vi.fn(),
    setNavigationBarTitle: vi.fn(),
    setTabBarStyle: vi.fn(),
    ...overrides,
  }
  return uni
}

describe('platform adapter (H5)', () => {
  const uni = fakeUni({ login: vi.fn(), getExtConfigSync: vi.fn(() => ({ company: 'x' })) })
  const p = createPlatform({ kind: 'h5', uni, location: { host: 'demo.localhost:8000', origin: 'http://demo.localhost:8000' }, tabPages: TAB_PAGES })

  it('takes the host from location and has no ext config', () => {
    expect(p.kind).toBe('h5')
    expect(p.getHost()).toBe('demo.localhost:8000')
    expect(p.getOrigin()).toBe('http://demo.localhost:8000')
    expect(p.getExtConfig()).toBeNull()
    expect(uni.getExtConfigSync).not.toHaveBeenCalled()
  })

  it('refuses mini-program-only features', async () => {
    await expect(p.wechatLoginCode()).rejects.toBeInstanceOf(PlatformError)
    await expect(p.wechatLoginCode()).rejects.toMatchObject({ code: 'unsupported' })
    await expect(p.scanCode()).rejects.toMatchObject({ code: 'unsupported' })
    await expect(
      p.requestPayment({ timeStamp: '1', nonceStr: 'n', package: 'prepay_id=1', signType: 'RSA', paySign: 's' }),
    ).rejects.toMatchObject({ code: 'unsupported' })
    expect(uni.login).not.toHaveBeenCalled()
  })

  it('wraps storage: strings only, empty means missing', () => {
    expect(p.storage.get('k')).toBeNull()
    p.storage.set('k', 'v')
    expect(p.storage.get('k')).toBe('v')
    p.storage.remove('k')
    expect(p.storage.get('k')).toBeNull()
  })

  it('requests through uni.request with JSON headers and resolves status + data', async () => {
    const res = await p.request({ url: '/api/v1/x/', method: 'POST', data: { a: 1 }, headers: { Authorization: 'Bearer t' } })
    expect(res).toEqual({ status: 201, data: { ok: true } })
    const opts = (uni.request as any).mock.calls[0][0]
    expect(opts).toMatchObject({ url: '/api/v1/x/', method: 'POST', data: { a: 1 } })
    expect(opts.header).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer t' })
  })

  it('rejects when uni.request fails', async () => {
    const bad = createPlatform({
      kind: 'h5',
      uni: fakeUni({ request: (o: any) => o.fail?.({ errMsg: 'request:fail timeout' }) }),
      tabPages: TAB_PAGES,
    })
    await expect(bad.request({ url: '/', method: 'GET' })).rejects.toMatchObject({ message: 'request:fail timeout' })
  })

  it('switches to tab pages and pushes the others', () => {
    p.navigateTo('/pages/profile/profile')
    expect(uni.switchTab).toHaveBeenLastCalledWith({ url: '/pages/profile/profile' })
    p.navigateTo('/pages/coming-soon/coming-soon?feature=bills')
    expect(uni.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/coming-soon/coming-soon?feature=bills' })
    p.redirectTo('/pages/index/index?x=1')
    expect(uni.switchTab).toHaveBeenLastCalledWith({ url: '/pages/index/index' })
    p.reLaunch('/pages/login/login')
    expect(uni.reLaunch).toHaveBeenLastCalledWith({ url: '/pages/login/login' })
  })

  it('paints the navigation bar, title and selected tab', () => {
    p.setNavigationBarColor('#0a7d5a', '#ffffff')
    expect(uni.setNavigationBarColor).toHaveBeenLastCalledWith({ backgroundColor: '#0a7d5a', frontColor: '#ffffff' })
    p.setNavigationBarTitle('报修')
    expect(uni.setNavigationBarTitle).toHaveBeenLastCalledWith({ title: '报修' })
    p.setTabBarSelectedColor('#0a7d5a')
    expect((uni.setTabBarStyle as any).mock.calls[0][0].selectedColor).toBe('#0a7d5a')
  })

  it('renames the tabs and knows the shown page', () => {
    const setTabBarItem = vi.fn()
    const pages = vi.fn(() => [{ route: 'pages/index/index' }, { route: 'pages/agreement/agreement' }])
    const q = createPlatform({ kind: 'h5', uni: fakeUni({ setTabBarItem }), tabPages: TAB_PAGES, pages })
    q.setTabBarTexts(['Home', 'Me'])
    expect(setTabBarItem.mock.calls.map(([o]) => [o.index, o.text])).toEqual([
      [0, 'Home'],
      [1, 'Me'],
    ])
    expect(q.currentPagePath()).toBe('/pages/agreement/agreement')
    expect(createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES }).currentPagePath()).toBeNull()
  })

  it('shows toasts and confirms', async () => {
    p.toast('已发送')
    expect(uni.showToast).toHaveBeenLastCalledWith({ title: '已发送', icon: 'none', duration: 2000 })
    expect(await p.confirm('确定吗？')).toBe(true)
  })
})

describe('platform adapter (mp-weixin)', () => {
  it('reads the company ext config from wx.getExtConfigSync, preferring wx over uni', () => {
    const wx = { getExtConfigSync: vi.fn(() => ({ company: 'demo', apiBase: 'https://demo.example' })) }
    const uni = fakeUni({ getExtConfigSync: vi.fn(() => ({ company: 'other' })) })
    const p = createPlatform({ kind: 'mp-weixin', uni, wx, tabPages: TAB_PAGES })
    expect(p.getExtConfig()).toEqual({ company: 'demo', apiBase: 'https://demo.example' })
    expect(p.getHost()).toBeNull()
    expect(p.getOrigin()).toBeNull()
  })

  it('falls back to uni.getExtConfigSync and to null', () => {
    const withUni = createPlatform({
      kind: 'mp-weixin',
      uni: fakeUni({ getExtConfigSync: () => ({ company: 'u' }) }),
      tabPages: TAB_PAGES,
    })
    expect(withUni.getExtConfig()).toEqual({ company: 'u' })
    expect(createPlatform({ kind: 'mp-weixin', uni: fakeUni(), tabPages: TAB_PAGES }).getExtConfig()).toBeNull()
  })

  it('gets a wx.login code', async () => {
    const login = vi.fn((o: any) => o.success?.({ code: 'abc' }))
    const p = createPlatform({ kind: 'mp-weixin', uni: fakeUni({ login }), tabPages: TAB_PAGES })
    await expect(p.wechatLoginCode()).resolves.toBe('abc')
    expect(login.mock.calls[0][0].provider).toBe('weixin')
    const noCode = createPlatform({ kind: 'mp-weixin', uni: fakeUni({ login: (o: any) => o.success?.({}) }), tabPages: TAB_PAGES })
    await expect(noCode.wechatLoginCode()).rejects.toMatchObject({ code: 'failed' })
  })

  it('passes WeChat Pay params and tells a cancel from a failure', async () => {
    const params = { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=1', signType: 'RSA' as const, paySign: 's' }
    const ok = vi.fn((o: any) => o.success?.({}))
    await createPlatform({ kind: 'mp-weixin', uni: fakeUni({ requestPayment: ok }), tabPages: TAB_PAGES }).requestPayment(params)
    expect(ok.mock.calls[0][0]).toMatchObject({ provider: 'wxpay', ...params })
    const cancel = createPlatform({
      kind: 'mp-weixin',
      uni: fakeUni({ requestPayment: (o: any) => o.fail?.({ errMsg: 'requestPayment:fail cancel' }) }),
      tabPages: TAB_PAGES,
    })
    await expect(cancel.requestPayment(params)).rejects.toMatchObject({ code: 'cancelled' })
  })

  it('scans codes', async () => {
    const p = createPlatform({
      kind: 'mp-weixin',
      uni: fakeUni({ scanCode: (o: any) => o.success?.({ result: 'VISIT-1' }) }),
      tabPages: TAB_PAGES,
    })
    await expect(p.scanCode()).resolves.toBe('VISIT-1')
  })
})

describe('phone calls', () => {
  it("dials with uni's makePhoneCall, or a tel: link where there is none", () => {
    const makePhoneCall = vi.fn()
    createPlatform({ kind: 'mp-weixin', uni: fakeUni({ makePhoneCall }), tabPages: TAB_PAGES }).makePhoneCall(' 02188886666 ')
    expect(makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: '02188886666' }))
    const assign = vi.fn()
    const h5 = createPlatform({ kind: 'h5', uni: fakeUni(), location: { host: 'a.localhost', assign }, tabPages: TAB_PAGES })
    h5.makePhoneCall('02188886666')
    h5.makePhoneCall('')
    expect(assign.mock.calls).toEqual([['tel:02188886666']])
  })
})

describe('photo preview', () => {
  it("shows the downloaded photos full screen from the one tapped, and nothing for none", () => {
    const previewImage = vi.fn()
    const p = createPlatform({ kind: 'mp-weixin', uni: fakeUni({ previewImage }), tabPages: TAB_PAGES })
    p.previewImages(['tmp/a.jpg', 'tmp/b.jpg'], 'tmp/b.jpg')
    expect(previewImage).toHaveBeenCalledWith(expect.objectContaining({ urls: ['tmp/a.jpg', 'tmp/b.jpg'], current: 'tmp/b.jpg' }))
    p.previewImages(['tmp/a.jpg'], 'tmp/gone.jpg')
    expect(previewImage).toHaveBeenLastCalledWith(expect.objectContaining({ current: 'tmp/a.jpg' }))
    p.previewImages([])
    expect(previewImage).toHaveBeenCalledTimes(2)
    expect(() => createPlatform({ kind: 'h5', uni: fakeUni(), tabPages: TAB_PAGES }).previewImages(['blob:x'])).not.toThrow()
  })
})

describe('payment pages (H5)', () => {
  it('leaves for the pay_url with the app page to come back to, and refuses in the mini-program', () => {
    const assign = vi.fn()
    const location = { host: 'alpha.localhost:8000', origin: 'http://alpha.localhost:8000', pathname: '/h5/', assign }
    createPlatform({ kind: 'h5', uni: fakeUni(), location, tabPages: TAB_PAGES }).openPaymentPage(
      'http://localhost:8000/_standins/wechatpay/pay/wx1?prepay_id=wx1',
      '/pages/bills/pay-result?order=7',
    )
    expect(assign).toHaveBeenCalledWith(
      `http://localhost:8000/_standins/wechatpay/pay/wx1?prepay_id=wx1&redirect_url=${encodeURIComponent(
        'http://alpha.localhost:8000/h5/#/pages/bills/pay-result?order=7',
      )}`,
    )
    const mp = createPlatform({ kind: 'mp-weixin', uni: fakeUni(), tabPages: TAB_PAGES })
    expect(() => mp.openPaymentPage('https://x/pay', '/pages/bills/pay-result?order=7')).toThrow(PlatformError)
  })
})

describe('photos: pick, upload, show behind the token', () => {
  it('picks compressed photos from the album or camera, no more than asked; backing out is `cancelled`', async () => {
    const chooseImage = vi.fn((o: any) => o.success?.({ tempFilePaths: ['a', 'b', 'c'] }))
    const p = createPlatform({ kind: 'mp-weixin', uni: fakeUni({ chooseImage }), tabPages: TAB_PAGES })
    expect(await p.chooseImages(2)).toEqual(['a', 'b'])
    expect(chooseImage.mock.calls[0][0]).toMatchObject({ count: 2, sizeType: ['compressed'], sourceType: ['album', 'camera'] })
    const cancelled = createPlatform({
      kind: 'h5',
      uni: fakeUni({ chooseImage: (o: any) => o.fail?.({ errMsg: 'chooseImage:fail cancel' }) }),
      tabPages: TAB_PAGES,
    })
    await expect(cancelled.chooseImages(9)).rejects.toMatchObject({ code: 'cancelled' })
  })

  it('uploads one file with the headers and parses the JSON answer uni.uploadFile gives as text', async () => {
    const uploadFile = vi.fn((o: any) => o.success?.({ statusCode: 201, data: '{"id": 7}' }))
    const p = createPlatform({ kind: 'h5', uni: fakeUni({ uploadFile }), tabPages: TAB_PAGES })
    const res = await p.uploadFile({ url: '/api/v1/owner/repair-photos/', filePath: 'blob:x', name: 'file', headers: { Authorization: 'Bearer t' } })
    expect(res).toEqual({ status: 201, data: { id: 7 } })
    expect(uploadFile.mock.calls[0][0]).toMatchObject({ filePath: 'blob:x', name: 'file', header: { Authorization: 'Bearer t' } })
  })

  it('downloads an image with the token to a temp path; another status is a failure', async () => {
    const downloadFile = vi.fn((o: any) =>
      o.success?.(o.url.endsWith('/1/') ? { statusCode: 200, tempFilePath: 'tmp/1.jpg' } : { statusCode: 404, tempFilePath: '' }),
    )
    const p = createPlatform({ kind: 'h5', uni: fakeUni({ downloadFile }), tabPages: TAB_PAGES })
    expect(await p.downloadImage({ url: '/p/1/', headers: { Authorization: 'Bearer t' } })).toBe('tmp/1.jpg')
    expect(downloadFile.mock.calls[0][0]).toMatchObject({ header: { Authorization: 'Bearer t' } })
    await expect(p.downloadImage({ url: '/p/2/', headers: {} })).rejects.toMatchObject({ code: 'failed', status: 404 })
  })
})
