/**
 * Stands in for `@/stores/session` in page tests (`vi.mock('@/stores/session', () =>
 * import('./support/fake-session'))`): the same exports, over a scripted backend instead of the
 * uni runtime, with a company colour that is not the default so branding shows in the HTML.
 */
import { reactive } from 'vue'
import { vi } from 'vitest'
import type { Binding, Me } from '@/api/types'
import { createOwnerStore } from '@/stores/owner'
import { createBillsStore } from '@/stores/bills'
import { createOrderWatch, createPayStore } from '@/stores/pay'
import { createInvoicesStore } from '@/stores/invoices'
import { createMessagesStore } from '@/stores/messages'
import { createRepairsStore } from '@/stores/repairs'
import { createNoticesStore } from '@/stores/notices'
import { createImageCache } from '@/composables/authorizedImages'
import { createFeedbackStore } from '@/stores/feedback'
import { createActivitiesStore } from '@/stores/activities'
import { createAgreementStore } from '@/stores/agreement'
import { createSubscriptionsStore } from '@/stores/subscriptions'
import { createVendorsStore } from '@/stores/vendors'
import { PlatformError } from '@/platform/types'
import { createFakeBackend } from './fake-api'
import { setLocale } from '@/i18n'

export const BRAND_COLOR = '#e4393c'

export const backend = createFakeBackend()
export const api = backend.api

export const state = reactive({
  company: { slug: 'alpha', apiBase: '', ext: null },
  branding: { slug: 'alpha', name: '阿尔法物业', title: '阿尔法物业', primaryColor: BRAND_COLOR, logoUrl: '' },
  siteLoaded: true,
  notCompany: false,
  session: { token: 'owner-token', expiresAt: '2030-01-01T00:00:00Z', user: { id: 1, name: '林业主', phone_masked: '138****3333' } },
  me: null as Me | null,
  bindings: null as Binding[] | null,
})

export const owner = createOwnerStore(api)
export const bills = createBillsStore(api)
export const pay = createPayStore(api, 'h5')
/** Polls by hand in tests: nothing is scheduled. */
export const payment = createOrderWatch(api, { schedule: () => undefined })
export const invoices = createInvoicesStore(api)
export const messages = createMessagesStore(api)
export const notices = createNoticesStore(api)
/** The phone's photo picker: tests say what it answers (`chooseImages.mockResolvedValueOnce`). */
export const photoSource = { chooseImages: vi.fn(async (_count: number): Promise<string[]> => []) }
export const repairs = createRepairsStore(api, photoSource)
/** Repair photos "downloaded": the temp path says whether the owner's token went with the URL. */
export const downloadImage = vi.fn(async (file: { url: string; headers: Record<string, string> }) =>
  file.headers.Authorization === 'Bearer owner-token' ? `temp:${file.url}` : Promise.reject(new Error('401')),
)
export const repairImages = createImageCache((url) => downloadImage(api.repairPhotoFile(url)))
export const feedback = createFeedbackStore(api, photoSource)
export const activities = createActivitiesStore(api)
export const agreement = createAgreementStore(api)
export const vendors = createVendorsStore(api, 'h5')
export const vendorPayment = createOrderWatch(api, { schedule: () => undefined })
/** The H5 build's: WeChat subscribe messages are a no-op there. */
export const subscriptions = createSubscriptionsStore(
  { wechatSubscriptions: vi.fn(), addWechatSubscriptions: vi.fn() },
  { kind: 'h5', requestSubscribeMessage: () => Promise.reject(new PlatformError('unsupported', 'H5')) },
)

export const isLoggedIn = () => true
export const applyBrandingChrome = vi.fn()
export const loadSite = vi.fn(async () => undefined)
export const saveLogin = vi.fn()
export const logout = vi.fn()
export const switchLocale = vi.fn((locale: 'zh-CN' | 'en', _onTabPage = false) => setLocale(locale))

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

/** Back to a fresh, logged-in owner with nothing loaded and no routes. */
export function resetSession(): void {
  backend.reset()
  owner.reset()
  bills.reset()
  pay.reset()
  payment.stop()
  invoices.reset()
  messages.reset()
  repairs.reset()
  notices.reset()
  repairImages.clear()
  downloadImage.mockClear()
  photoSource.chooseImages.mockReset()
  photoSource.chooseImages.mockResolvedValue([])
  feedback.reset()
  activities.reset()
  agreement.reset()
  vendors.reset()
  vendorPayment.stop()
  state.bindings = null
  state.me = null
  applyBrandingChrome.mockClear()
}
