/**
 * App state shared by the pages: company context and branding, the login, the user's bindings.
 * The only module that wires the platform adapter to the API client.
 */
import { reactive } from 'vue'
import { platform } from '@/platform'
import { createApiClient } from '@/api/client'
import type { Binding, LoginResponse, Me, SiteResponse } from '@/api/types'
import { resolveBranding, resolveCompanyContext, frontColorFor } from '@/config/company'
import type { Branding } from '@/config/company'
import { PAGES, TAB_PAGES } from '@/config/routes'
import { isLocale, LOCALE_KEY, setLocale, t } from '@/i18n'
import type { Locale } from '@/i18n'
import { SESSION_KEY, parseSession, serializeSession } from './token'
import { createOwnerStore } from './owner'
import { createBillsStore } from './bills'
import { createOrderWatch, createPayStore } from './pay'
import { createInvoicesStore } from './invoices'
import { createMessagesStore } from './messages'
import { createRepairsStore } from './repairs'
import { createNoticesStore } from './notices'
import { createImageCache } from '@/composables/authorizedImages'
import { createFeedbackStore } from './feedback'
import { createActivitiesStore } from './activities'
import { createAgreementStore } from './agreement'
import { createSubscriptionsStore } from './subscriptions'
import { createVendorsStore } from './vendors'
import type { StoredSession } from './token'

// The owner's language (profile page), before anything is shown or asked of the server.
const storedLocale = platform.storage.get(LOCALE_KEY)
if (isLocale(storedLocale)) setLocale(storedLocale)

const company = resolveCompanyContext({
  kind: platform.kind,
  ext: platform.getExtConfig(),
  host: platform.getHost(),
  origin: platform.getOrigin(),
})

export const state = reactive({
  company,
  branding: resolveBranding(company, null) as Branding,
  siteLoaded: false,
  /** The host/ext config does not name a company (e.g. H5 opened on an IP address). */
  notCompany: false,
  session: parseSession(platform.storage.get(SESSION_KEY)) as StoredSession | null,
  me: null as Me | null,
  bindings: null as Binding[] | null,
})

export const api = createApiClient({
  baseUrl: company.apiBase,
  request: (o) => platform.request(o),
  getToken: () => state.session?.token ?? null,
  upload: (o) => platform.uploadFile(o),
  onUnauthorized: () => {
    logout()
    platform.reLaunch(PAGES.login)
  },
})

/** My houses and my data (pages my-houses, my-info, and the home summary). */
export const owner = createOwnerStore(api)

/** My bills and payment history (pages bills, bills/history). */
export const bills = createBillsStore(api)

/** Paying bills online (bills page) and following an order (pay-result page). */
export const pay = createPayStore(api, platform.kind === 'mp-weixin' ? 'mp-weixin' : 'h5')
export const payment = createOrderWatch(api)
/** My invoice requests and the form to ask for one (page invoices). */
export const invoices = createInvoicesStore(api)
/** My messages: bills issued, notices (page messages; the unread count on the profile page). */
export const messages = createMessagesStore(api)

/** 社区公告: the announcements for my houses. */
export const notices = createNoticesStore(api)
export const repairs = createRepairsStore(api, platform)
/** My photos (repairs, feedback) and vendors' shop and offering photos, fetched with the token and shown from temp paths (components/AuthorizedPhotos). */
export const repairImages = createImageCache((url) => platform.downloadImage(api.repairPhotoFile(url)))
/** 投诉建议: my items, filing, the reply, withdraw and rate (pages feedback/*). */
export const feedback = createFeedbackStore(api, platform)
/** 社区活动 (pages activities/list, activities/detail). */
export const activities = createActivitiesStore(api)
/** 用户协议 / 隐私政策 (page agreement, open before login). */
export const agreement = createAgreementStore(api)
/** 家政服务 / 周边商家 and 我的服务订单 (pages vendors/*, vendor-orders/*). */
export const vendors = createVendorsStore(api, platform.kind === 'mp-weixin' ? 'mp-weixin' : 'h5')
/** The payment of a service order, followed on its page until the server says how it ended. */
export const vendorPayment = createOrderWatch(api)
/** WeChat subscribe messages asked for after paying and after binding (a no-op in H5). */
export const subscriptions = createSubscriptionsStore(api, platform)

export function isLoggedIn(): boolean {
  return !!state.session && !!parseSession(platform.storage.get(SESSION_KEY))
}

export function saveLogin(res: LoginResponse): void {
  platform.storage.set(SESSION_KEY, serializeSession(res))
  state.session = parseSession(platform.storage.get(SESSION_KEY))
  state.me = null
  state.bindings = null
  owner.reset()
  bills.reset()
  pay.reset()
  payment.stop()
  invoices.reset()
  messages.reset()
  repairs.reset()
  notices.reset()
  repairImages.clear()
  feedback.reset()
  activities.reset()
  vendors.reset()
  vendorPayment.stop()
}

export function logout(): void {
  platform.storage.remove(SESSION_KEY)
  state.session = null
  state.me = null
  state.bindings = null
  owner.reset()
  bills.reset()
  pay.reset()
  payment.stop()
  invoices.reset()
  messages.reset()
  repairs.reset()
  notices.reset()
  repairImages.clear()
  feedback.reset()
  activities.reset()
  vendors.reset()
  vendorPayment.stop()
}

/** Navigation bar titles (i18n `titles.*`) of the pages whose title is fixed; the others set their own. */
const PAGE_TITLES: Record<string, string> = {
  [PAGES.home]: 'titles.home',
  [PAGES.login]: 'titles.login',
  [PAGES.bind]: 'titles.bind',
  [PAGES.profile]: 'titles.profile',
  [PAGES.myHouses]: 'titles.myHouses',
  [PAGES.myInfo]: 'titles.myInfo',
  [PAGES.bills]: 'titles.bills',
  [PAGES.billHistory]: 'titles.billHistory',
  [PAGES.payResult]: 'titles.payResult',
  [PAGES.invoices]: 'titles.invoices',
  [PAGES.messages]: 'titles.messages',
  [PAGES.repairs]: 'titles.repairs',
  [PAGES.repairFile]: 'titles.repairFile',
  [PAGES.repairDetail]: 'titles.repairDetail',
  [PAGES.feedback]: 'titles.feedback',
  [PAGES.feedbackFile]: 'titles.feedbackFile',
  [PAGES.feedbackDetail]: 'titles.feedbackDetail',
  [PAGES.activities]: 'titles.activities',
  [PAGES.activityDetail]: 'titles.activityDetail',
  [PAGES.vendorOrders]: 'titles.vendorOrders',
  [PAGES.vendorOrderDetail]: 'titles.vendorOrderDetail',
}
const TAB_TITLES: Record<string, string> = { [PAGES.home]: 'tabBar.home', [PAGES.profile]: 'tabBar.profile' }

/**
 * Paint the native navigation bar (and, on tab pages, the selected tab) with the company colour,
 * and title it (and the tabs) in the UI language (pages.json holds the zh-CN texts).
 * No-op where unsupported.
 */
export function applyBrandingChrome(onTabPage = false): void {
  try {
    const color = state.branding.primaryColor
    platform.setNavigationBarColor(color, frontColorFor(color))
    const title = PAGE_TITLES[platform.currentPagePath() ?? '']
    if (title) platform.setNavigationBarTitle(t(title))
    if (onTabPage) {
      platform.setTabBarSelectedColor(color)
      platform.setTabBarTexts(TAB_PAGES.map((page) => t(TAB_TITLES[page] ?? page)))
    }
  } catch {
    /* some pages have no native bar */
  }
}

/** The owner's language choice: kept in storage, used by every text and request from now on. */
export function switchLocale(locale: Locale, onTabPage = false): void {
  setLocale(locale)
  platform.storage.set(LOCALE_KEY, locale)
  applyBrandingChrome(onTabPage)
}

let siteRequest: Promise<void> | null = null

/** Load the company branding from `GET /api/v1/site/` once (ext config shows until then). */
export function loadSite(): Promise<void> {
  if (!siteRequest) {
    siteRequest = api
      .site()
      .then((site: SiteResponse) => {
        state.branding = resolveBranding(state.company, site)
        state.siteLoaded = true
        state.notCompany = site.surface !== 'company'
      })
      .catch(() => {
        siteRequest = null // retry on the next page
      })
  }
  return siteRequest ?? Promise.resolve()
}

export async function loadMe(): Promise<Me> {
  const me = await api.me()
  state.me = me
  return me
}

export async function loadBindings(): Promise<Binding[]> {
  const list = await api.bindings()
  state.bindings = list
  return list
}
