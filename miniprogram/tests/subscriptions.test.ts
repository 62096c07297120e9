/**
 * 订阅消息: the owner app asks for WeChat subscribe messages at a moment (templates loaded first,
 * the dialog straight from the tap), reports only the accepted ones, never breaks the flow it sits
 * in, and does nothing at all in H5 — plus the platform's wx.requestSubscribeMessage wrapper.
 */
import { describe, expect, it, vi } from 'vitest'
import { createSubscriptionsStore } from '@/stores/subscriptions'
import { createPlatform } from '@/platform/create'
import type { UniLike } from '@/platform/create'
import { PlatformError } from '@/platform/types'

function fakeApi(templateIds: string[] = ['TPL-PAID', 'TPL-BILL']) {
  return {
    wechatSubscriptions: vi.fn(async () => ({ template_ids: templateIds, credits: {} })),
    addWechatSubscriptions: vi.fn(async (ids: readonly string[]) => ({ template_ids: [], credits: Object.fromEntries(ids.map((i) => [i, 1])) })),
  }
}

describe('subscriptions store', () => {
  it('asks for the moment’s templates from the tap and reports only the accepted ones', async () => {
    const api = fakeApi()
    const order: string[] = []
    const requestSubscribeMessage = vi.fn(async (ids: readonly string[]) => {
      order.push('asked')
      return { [ids[0]]: 'accept', [ids[1]]: 'reject' }
    })
    const store = createSubscriptionsStore(api, { kind: 'mp-weixin', requestSubscribeMessage })
    expect(await store.prepare('payment')).toEqual(['TPL-PAID', 'TPL-BILL'])
    expect(api.wechatSubscriptions).toHaveBeenCalledWith('payment')
    expect(store.offers('payment')).toBe(true)
    expect(store.offers('binding')).toBe(false)

    const pending = store.ask('payment')
    // The dialog was requested synchronously, in the tap's turn, before anything was awaited.
    expect(requestSubscribeMessage).toHaveBeenCalledWith(['TPL-PAID', 'TPL-BILL'])
    expect(await pending).toEqual(['TPL-PAID'])
    expect(api.addWechatSubscriptions).toHaveBeenCalledWith(['TPL-PAID'])
    expect(order).toEqual(['asked'])
  })

  it('reports nothing when the owner refuses everything, and swallows WeChat failing', async () => {
    const api = fakeApi(['TPL-A'])
    const refuse = createSubscriptionsStore(api, { kind: 'mp-weixin', requestSubscribeMessage: async () => ({ 'TPL-A': 'reject' }) })
    await refuse.prepare('binding')
    expect(await refuse.ask('binding')).toEqual([])
    const broken = createSubscriptionsStore(api, {
      kind: 'mp-weixin',
      requestSubscribeMessage: () => Promise.reject(new PlatformError('failed', 'can only be invoked by user TAP gesture')),
    })
    await broken.prepare('binding')
    expect(await broken.ask('binding')).toEqual([])
    expect(api.addWechatSubscriptions).not.toHaveBeenCalled()

    const reportFails = fakeApi(['TPL-A'])
    reportFails.addWechatSubscriptions.mockRejectedValueOnce(new Error('offline'))
    const store = createSubscriptionsStore(reportFails, { kind: 'mp-weixin', requestSubscribeMessage: async () => ({ 'TPL-A': 'accept' }) })
    await store.prepare('binding')
    await expect(store.ask('binding')).resolves.toEqual([])
  })

  it('asks nothing when the company set no templates up, or the server cannot say', async () => {
    const requestSubscribeMessage = vi.fn(async () => ({}))
    const none = createSubscriptionsStore(fakeApi([]), { kind: 'mp-weixin', requestSubscribeMessage })
    await none.prepare('payment')
    expect(none.offers('payment')).toBe(false)
    expect(await none.ask('payment')).toEqual([])
    const down = fakeApi()
    down.wechatSubscriptions.mockRejectedValueOnce(new Error('500'))
    const store = createSubscriptionsStore(down, { kind: 'mp-weixin', requestSubscribeMessage })
    expect(await store.prepare('payment')).toEqual([])
    expect(await store.ask('binding')).toEqual([]) // never prepared
    expect(requestSubscribeMessage).not.toHaveBeenCalled()
  })

  it('is a no-op in H5: no request to the server, no dialog', async () => {
    const api = fakeApi()
    const requestSubscribeMessage = vi.fn(async () => ({}))
    const store = createSubscriptionsStore(api, { kind: 'h5', requestSubscribeMessage })
    expect(await store.prepare('payment')).toEqual([])
    expect(store.offers('payment')).toBe(false)
    expect(await store.ask('payment')).toEqual([])
    expect(api.wechatSubscriptions).not.toHaveBeenCalled()
    expect(requestSubscribeMessage).not.toHaveBeenCalled()
  })
})

describe('platform.requestSubscribeMessage', () => {
  const base = {
    request: vi.fn(),
    getStorageSync: vi.fn(),
    setStorageSync: vi.fn(),
    removeStorageSync: vi.fn(),
    showToast: vi.fn(),
    showModal: vi.fn(),
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    switchTab: vi.fn(),
    navigateBack: vi.fn(),
    setNavigationBarColor: vi.fn(),
    setNavigationBarTitle: vi.fn(),
    setTabBarStyle: vi.fn(),
  } satisfies UniLike

  it('passes the template ids to uni and hands back each one’s answer', async () => {
    const requestSubscribeMessage = vi.fn((o: any) => o.success?.({ errMsg: 'requestSubscribeMessage:ok', 'TPL-A': 'accept', 'TPL-B': 'ban' }))
    const p = createPlatform({ kind: 'mp-weixin', uni: { ...base, requestSubscribeMessage }, tabPages: [] })
    await expect(p.requestSubscribeMessage(['TPL-A', 'TPL-B'])).resolves.toEqual({ 'TPL-A': 'accept', 'TPL-B': 'ban' })
    expect(requestSubscribeMessage.mock.calls[0][0]).toMatchObject({ tmplIds: ['TPL-A', 'TPL-B'] })
    const failing = createPlatform({
      kind: 'mp-weixin',
      uni: { ...base, requestSubscribeMessage: (o: any) => o.fail?.({ errMsg: 'requestSubscribeMessage:fail' }) },
      tabPages: [],
    })
    await expect(failing.requestSubscribeMessage(['TPL-A'])).rejects.toMatchObject({ code: 'failed' })
  })

  it('is unsupported in H5', async () => {
    const requestSubscribeMessage = vi.fn()
    const p = createPlatform({ kind: 'h5', uni: { ...base, requestSubscribeMessage }, tabPages: [] })
    await expect(p.requestSubscribeMessage(['TPL-A'])).rejects.toMatchObject({ code: 'unsupported' })
    expect(requestSubscribeMessage).not.toHaveBeenCalled()
  })
})
