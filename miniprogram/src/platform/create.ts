import type {
  KeyValueStorage,
  PaymentParams,
  Platform,
  PlatformKind,
  RawResponse,
  RequestOptions,
  ToastKind,
} from './types'
import { PlatformError } from './types'

/* The few `uni` methods the adapter calls, typed loosely so tests can pass a fake. */
type Callbacks = { success?: (res: any) => void; fail?: (err: any) => void }
export interface UniLike {
  request(options: Record<string, unknown> & Callbacks): unknown
  getStorageSync(key: string): unknown
  setStorageSync(key: string, value: unknown): void
  removeStorageSync(key: string): void
  showToast(options: Record<string, unknown>): void
  showModal(options: Record<string, unknown> & Callbacks): void
  navigateTo(options: { url: string } & Callbacks): void
  redirectTo(options: { url: string } & Callbacks): void
  reLaunch(options: { url: string } & Callbacks): void
  switchTab(options: { url: string } & Callbacks): void
  navigateBack(options?: Record<string, unknown>): void
  setNavigationBarColor(options: Record<string, unknown>): void
  setNavigationBarTitle(options: Record<string, unknown>): void
  setTabBarStyle(options: Record<string, unknown> & Callbacks): void
  login?(options: Record<string, unknown> & Callbacks): void
  requestPayment?(options: Record<string, unknown> & Callbacks): void
  scanCode?(options: Record<string, unknown> & Callbacks): void
  getExtConfigSync?(): unknown
}

export interface PlatformDeps {
  kind: PlatformKind
  uni: UniLike
  /** The mini-program `wx` global, when present. */
  wx?: { getExtConfigSync?: () => unknown } | null
  /** H5: `window.location`. */
  location?: { host: string } | null
  /** Paths of tabBar pages (from pages.json), e.g. `/pages/index/index`. */
  tabPages: readonly string[]
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

function errMsg(err: unknown): string {
  if (err && typeof err === 'object' && 'errMsg' in err) return String((err as { errMsg: unknown }).errMsg)
  return String(err)
}

export function createPlatform(deps: PlatformDeps): Platform {
  const { kind, uni } = deps
  const isMp = kind === 'mp-weixin'

  const storage: KeyValueStorage = {
    get(key) {
      const v = uni.getStorageSync(key)
      return typeof v === 'string' && v !== '' ? v : null
    },
    set(key, value) {
      uni.setStorageSync(key, value)
    },
    remove(key) {
      uni.removeStorageSync(key)
    },
  }

  return {
    kind,
    storage,

    getExtConfig() {
      if (!isMp) return null
      const fn = deps.wx?.getExtConfigSync ?? uni.getExtConfigSync
      if (!fn) return null
      const raw = fn.call(deps.wx ?? uni) as unknown
      return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null
    },

    getHost() {
      return isMp ? null : deps.location?.host ?? null
    },

    wechatLoginCode() {
      return new Promise<string>((resolve, reject) => {
        if (!isMp || !uni.login) {
          reject(new PlatformError('unsupported', 'wx.login is only available in the mini-program'))
          return
        }
        uni.login({
          provider: 'weixin',
          success: (res: { code?: string }) =>
            res.code ? resolve(res.code) : reject(new PlatformError('failed', 'wx.login returned no code')),
          fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
        })
      })
    },

    request(options: RequestOptions) {
      return new Promise<RawResponse>((resolve, reject) => {
        uni.request({
          url: options.url,
          method: options.method,
          data: options.data as any,
          header: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
          timeout: options.timeoutMs ?? 15000,
          dataType: 'json',
          success: (res: { statusCode: number; data: unknown }) => resolve({ status: res.statusCode, data: res.data }),
          fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
        })
      })
    },

    toast(message: string, toastKind: ToastKind = 'none') {
      uni.showToast({ title: message, icon: toastKind, duration: 2000 })
    },

    confirm(message: string, title = '') {
      return new Promise<boolean>((resolve) => {
        uni.showModal({
          title,
          content: message,
          success: (res: { confirm?: boolean }) => resolve(!!res.confirm),
          fail: () => resolve(false),
        })
      })
    },

    navigateTo(url) {
      if (deps.tabPages.includes(pathOf(url))) uni.switchTab({ url: pathOf(url) })
      else uni.navigateTo({ url })
    },
    redirectTo(url) {
      if (deps.tabPages.includes(pathOf(url))) uni.switchTab({ url: pathOf(url) })
      else uni.redirectTo({ url })
    },
    reLaunch(url) {
      uni.reLaunch({ url })
    },
    navigateBack() {
      uni.navigateBack()
    },

    setNavigationBarColor(backgroundColor, frontColor) {
      uni.setNavigationBarColor({ backgroundColor, frontColor })
    },
    setNavigationBarTitle(title) {
      uni.setNavigationBarTitle({ title })
    },

    setTabBarSelectedColor(color) {
      uni.setTabBarStyle({ selectedColor: color, fail: () => undefined })
    },

    requestPayment(params: PaymentParams) {
      return new Promise<void>((resolve, reject) => {
        if (!isMp || !uni.requestPayment) {
          reject(new PlatformError('unsupported', 'WeChat Pay is only available in the mini-program'))
          return
        }
        uni.requestPayment({
          provider: 'wxpay',
          ...params,
          success: () => resolve(),
          fail: (err: unknown) => {
            const msg = errMsg(err)
            reject(new PlatformError(msg.includes('cancel') ? 'cancelled' : 'failed', msg))
          },
        })
      })
    },

    scanCode() {
      return new Promise<string>((resolve, reject) => {
        if (!isMp || !uni.scanCode) {
          reject(new PlatformError('unsupported', 'scanCode is only available in the mini-program'))
          return
        }
        uni.scanCode({
          onlyFromCamera: true,
          success: (res: { result: string }) => resolve(res.result),
          fail: (err: unknown) => {
            const msg = errMsg(err)
            reject(new PlatformError(msg.includes('cancel') ? 'cancelled' : 'failed', msg))
          },
        })
      })
    },
  }
}
