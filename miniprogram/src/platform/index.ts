/**
 * The platform singleton. Conditional compilation (`#ifdef`) picks the target at build time, so
 * the H5 bundle never references `wx`. Only this folder may call `uni.*`/`wx.*` directly.
 *
 * Every `uni.*` method is referenced by name (not `uni` passed as an object): uni's H5 build
 * tree-shakes its API by the member names the code uses, so an unreferenced method would be missing.
 */
import { createPlatform } from './create'
import type { BrowserLike, UniLike } from './create'
import type { Platform, PlatformKind } from './types'
import { TAB_PAGES } from '@/config/routes'

let kind: PlatformKind = 'h5'
const u: UniLike = {
  request: (o) => uni.request(o as unknown as UniApp.RequestOptions),
  getStorageSync: (k) => uni.getStorageSync(k),
  setStorageSync: (k, v) => uni.setStorageSync(k, v),
  removeStorageSync: (k) => uni.removeStorageSync(k),
  showToast: (o) => uni.showToast(o),
  showModal: (o) => uni.showModal(o),
  navigateTo: (o) => uni.navigateTo(o),
  redirectTo: (o) => uni.redirectTo(o),
  reLaunch: (o) => uni.reLaunch(o),
  switchTab: (o) => uni.switchTab(o),
  navigateBack: (o) => uni.navigateBack(o),
  setNavigationBarColor: (o) => uni.setNavigationBarColor(o as unknown as UniApp.SetNavigationbarColorOptions),
  setTabBarStyle: (o) => uni.setTabBarStyle(o as unknown as UniApp.SetTabBarStyleOptions),
  setTabBarItem: (o) => uni.setTabBarItem(o as unknown as UniApp.SetTabBarItemOptions),
  setNavigationBarTitle: (o) => uni.setNavigationBarTitle(o as unknown as UniApp.SetNavigationBarTitleOptions),
  stopPullDownRefresh: () => uni.stopPullDownRefresh(),
  // Photos (repairs, feedback): picked, sent and fetched behind the owner's token on both targets.
  chooseImage: (o) => uni.chooseImage(o as unknown as UniApp.ChooseImageOptions),
  uploadFile: (o) => uni.uploadFile(o as unknown as UniApp.UploadFileOption),
  downloadFile: (o) => uni.downloadFile(o as unknown as UniApp.DownloadFileOption),
  // Shop and offering photos (vendors): tapped, shown full screen from their downloaded paths.
  previewImage: (o) => uni.previewImage(o as unknown as UniApp.PreviewImageOptions),
}
let browser: BrowserLike | null = null
// #ifdef MP-WEIXIN
kind = 'mp-weixin'
u.login = (o) => uni.login(o)
u.requestPayment = (o) => uni.requestPayment(o as unknown as UniApp.RequestPaymentOptions)
u.requestSubscribeMessage = (o) => uni.requestSubscribeMessage(o as unknown as UniNamespace.RequestSubscribeMessageOption)
u.scanCode = (o) => uni.scanCode(o)
// A vendor's call button: the phone's dialler (H5 opens a tel: link instead, see create.ts).
u.makePhoneCall = (o) => uni.makePhoneCall(o)
u.getExtConfigSync = () => uni.getExtConfigSync()
u.openDocument = (o) => uni.openDocument(o as unknown as UniApp.OpenDocumentOptions)
// #endif
// #ifdef H5
browser = {
  fetch: (url, init) => window.fetch(url, { headers: init.headers, credentials: 'omit' }),
  openWindow: () => window.open('', '_blank'),
  createObjectURL: (blob) => URL.createObjectURL(blob),
  revokeObjectURL: (url) => URL.revokeObjectURL(url),
  saveAs: (url, fileName) => {
    const link = document.createElement('a')
    link.href = url
    link.download = fileName
    link.rel = 'noopener'
    document.body.appendChild(link)
    link.click()
    link.remove()
  },
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
}
// #endif

export const platform: Platform = createPlatform({
  kind,
  uni: u,
  wx: typeof wx !== 'undefined' ? wx : null,
  location: typeof location !== 'undefined' ? location : null,
  tabPages: TAB_PAGES,
  browser,
  pages: () => (typeof getCurrentPages === 'function' ? getCurrentPages() : []),
})

export type { Platform, PlatformKind } from './types'
export { PlatformError } from './types'
