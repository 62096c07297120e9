/**
 * The platform singleton. Conditional compilation (`#ifdef`) picks the target at build time, so
 * the H5 bundle never references `wx`. Only this folder may call `uni.*`/`wx.*` directly.
 *
 * Every `uni.*` method is referenced by name (not `uni` passed as an object): uni's H5 build
 * tree-shakes its API by the member names the code uses, so an unreferenced method would be missing.
 */
import { createPlatform } from './create'
import type { UniLike } from './create'
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
  setNavigationBarTitle: (o) => uni.setNavigationBarTitle(o as unknown as UniApp.SetNavigationBarTitleOptions),
}
// #ifdef MP-WEIXIN
kind = 'mp-weixin'
u.login = (o) => uni.login(o)
u.requestPayment = (o) => uni.requestPayment(o as unknown as UniApp.RequestPaymentOptions)
u.scanCode = (o) => uni.scanCode(o)
u.getExtConfigSync = () => uni.getExtConfigSync()
// #endif

export const platform: Platform = createPlatform({
  kind,
  uni: u,
  wx: typeof wx !== 'undefined' ? wx : null,
  location: typeof location !== 'undefined' ? location : null,
  tabPages: TAB_PAGES,
})

export type { Platform, PlatformKind } from './types'
export { PlatformError } from './types'
