import type {
  AuthorizedDownload,
  KeyValueStorage,
  PaymentParams,
  Platform,
  PlatformKind,
  RawResponse,
  RequestOptions,
  ToastKind,
  UploadOptions,
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
  setTabBarItem?(options: Record<string, unknown> & Callbacks): void
  login?(options: Record<string, unknown> & Callbacks): void
  requestPayment?(options: Record<string, unknown> & Callbacks): void
  requestSubscribeMessage?(options: Record<string, unknown> & Callbacks): void
  scanCode?(options: Record<string, unknown> & Callbacks): void
  makePhoneCall?(options: { phoneNumber: string } & Callbacks): void
  getExtConfigSync?(): unknown
  stopPullDownRefresh?(): void
  downloadFile?(options: Record<string, unknown> & Callbacks): unknown
  uploadFile?(options: Record<string, unknown> & Callbacks): unknown
  chooseImage?(options: Record<string, unknown> & Callbacks): void
  openDocument?(options: Record<string, unknown> & Callbacks): void
  previewImage?(options: { urls: string[]; current?: string } & Callbacks): void
}

/** A window opened for a file (H5): navigated once the file is there, closed if it never comes. */
export interface WindowLike {
  location: { href: string }
  close(): void
}

/** What H5 needs of the browser to show a file behind a token. */
export interface BrowserLike {
  fetch(url: string, init: { headers: Record<string, string> }): Promise<{ ok: boolean; status: number; blob(): Promise<Blob> }>
  /** `window.open('', '_blank')`; `null` when a pop-up blocker refuses. */
  openWindow(): WindowLike | null
  createObjectURL(blob: Blob): string
  revokeObjectURL(url: string): void
  /** Fallback without a window: save the file (a download link). */
  saveAs(url: string, fileName: string): void
  setTimeout(fn: () => void, ms: number): unknown
}

export interface PlatformDeps {
  kind: PlatformKind
  uni: UniLike
  /** The mini-program `wx` global, when present. */
  wx?: { getExtConfigSync?: () => unknown } | null
  /** H5: `window.location`. */
  location?: { host: string; origin?: string; pathname?: string; assign?(url: string): void } | null
  /** Paths of tabBar pages (from pages.json), e.g. `/pages/index/index`. */
  tabPages: readonly string[]
  /** H5: the browser APIs used to open files behind the token. */
  browser?: BrowserLike | null
  /** The page stack (uni's global `getCurrentPages`), for the current page's path. */
  pages?: () => readonly { route?: string }[]
}

/** How long an opened file's object URL lives (the new window has loaded it long before). */
export const OBJECT_URL_TTL_MS = 60_000

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

    getOrigin() {
      return isMp ? null : deps.location?.origin ?? null
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
    setTabBarTexts(texts) {
      texts.forEach((text, index) => uni.setTabBarItem?.({ index, text, fail: () => undefined }))
    },
    currentPagePath() {
      const stack = deps.pages?.() ?? []
      const route = stack[stack.length - 1]?.route
      return route ? `/${route.replace(/^\//, '')}` : null
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

    requestSubscribeMessage(templateIds: readonly string[]) {
      return new Promise<Record<string, string>>((resolve, reject) => {
        if (!isMp || !uni.requestSubscribeMessage) {
          reject(new PlatformError('unsupported', 'subscribe messages are only available in the mini-program'))
          return
        }
        uni.requestSubscribeMessage({
          tmplIds: [...templateIds],
          success: (res: Record<string, unknown>) => {
            const answers: Record<string, string> = {}
            for (const id of templateIds) if (typeof res?.[id] === 'string') answers[id] = res[id] as string
            resolve(answers)
          },
          fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
        })
      })
    },

    openPdf(file: AuthorizedDownload) {
      if (isMp) {
        return new Promise<void>((resolve, reject) => {
          if (!uni.downloadFile || !uni.openDocument) {
            reject(new PlatformError('unsupported', 'downloadFile/openDocument missing'))
            return
          }
          const openDocument = uni.openDocument
          uni.downloadFile({
            url: file.url,
            header: file.headers,
            success: (res: { statusCode: number; tempFilePath: string }) => {
              if (res.statusCode !== 200) {
                reject(new PlatformError('failed', `HTTP ${res.statusCode}`, res.statusCode))
                return
              }
              openDocument({
                filePath: res.tempFilePath,
                fileType: 'pdf',
                showMenu: true,
                success: () => resolve(),
                fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
              })
            },
            fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
          })
        })
      }
      const browser = deps.browser
      if (!browser) return Promise.reject(new PlatformError('unsupported', 'no browser to open files in'))
      // Opened now, while the tap still counts as the user's gesture; filled in when the file is here.
      const win = browser.openWindow()
      return (async () => {
        try {
          let res: Awaited<ReturnType<BrowserLike['fetch']>>
          try {
            res = await browser.fetch(file.url, { headers: file.headers })
          } catch (err) {
            throw new PlatformError('failed', errMsg(err))
          }
          if (!res.ok) throw new PlatformError('failed', `HTTP ${res.status}`, res.status)
          const objectUrl = browser.createObjectURL(await res.blob())
          if (win) win.location.href = objectUrl
          else browser.saveAs(objectUrl, file.fileName || 'receipt.pdf')
          browser.setTimeout(() => browser.revokeObjectURL(objectUrl), OBJECT_URL_TTL_MS)
        } catch (err) {
          win?.close()
          throw err
        }
      })()
    },

    chooseImages(count: number) {
      return new Promise<string[]>((resolve, reject) => {
        if (!uni.chooseImage) {
          reject(new PlatformError('unsupported', 'chooseImage missing'))
          return
        }
        uni.chooseImage({
          count,
          sizeType: ['compressed'],
          sourceType: ['album', 'camera'],
          success: (res: { tempFilePaths: string[] | string }) =>
            resolve((Array.isArray(res.tempFilePaths) ? res.tempFilePaths : [res.tempFilePaths]).slice(0, count)),
          fail: (err: unknown) => {
            const msg = errMsg(err)
            reject(new PlatformError(msg.includes('cancel') ? 'cancelled' : 'failed', msg))
          },
        })
      })
    },

    uploadFile(options: UploadOptions) {
      return new Promise<RawResponse>((resolve, reject) => {
        if (!uni.uploadFile) {
          reject(new PlatformError('unsupported', 'uploadFile missing'))
          return
        }
        uni.uploadFile({
          url: options.url,
          filePath: options.filePath,
          name: options.name,
          header: options.headers,
          success: (res: { statusCode: number; data: unknown }) => {
            let data = res.data
            if (typeof data === 'string') {
              try {
                data = JSON.parse(data)
              } catch {
                // not JSON (a proxy's error page): the status tells
              }
            }
            resolve({ status: res.statusCode, data })
          },
          fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
        })
      })
    },

    downloadImage(file: AuthorizedDownload) {
      return new Promise<string>((resolve, reject) => {
        if (!uni.downloadFile) {
          reject(new PlatformError('unsupported', 'downloadFile missing'))
          return
        }
        uni.downloadFile({
          url: file.url,
          header: file.headers,
          success: (res: { statusCode: number; tempFilePath: string }) => {
            if (res.statusCode === 200) resolve(res.tempFilePath)
            else reject(new PlatformError('failed', `HTTP ${res.statusCode}`, res.statusCode))
          },
          fail: (err: unknown) => reject(new PlatformError('failed', errMsg(err))),
        })
      })
    },

    previewImages(paths: readonly string[], current?: string) {
      const urls = paths.filter(Boolean)
      if (!urls.length || !uni.previewImage) return
      uni.previewImage({ urls, current: current && urls.includes(current) ? current : urls[0], fail: () => undefined })
    },

    stopPullDownRefresh() {
      uni.stopPullDownRefresh?.()
    },

    openPaymentPage(payUrl: string, returnPage: string) {
      const loc = deps.location
      if (isMp || !loc?.assign) throw new PlatformError('unsupported', 'payment pages open only in a browser')
      // The app's own address with its hash route: the provider sends the payer back there.
      const back = `${loc.origin ?? ''}${loc.pathname ?? '/'}#${returnPage}`
      const sep = payUrl.includes('?') ? '&' : '?'
      loc.assign(`${payUrl}${sep}redirect_url=${encodeURIComponent(back)}`)
    },

    makePhoneCall(phoneNumber: string) {
      const number = phoneNumber.trim()
      if (!number) return
      if (uni.makePhoneCall) uni.makePhoneCall({ phoneNumber: number, fail: () => undefined })
      else deps.location?.assign?.(`tel:${number}`)
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
