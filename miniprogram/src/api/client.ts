import type { HttpMethod, RawResponse, RequestOptions, UploadOptions } from '@/platform/types'
import { getLocale, t, type Locale } from '@/i18n'
import {
  fillPath,
  type Answer,
  type ApiPath,
  type Body,
  type CallOptions,
  type Method,
  type OptionsArg,
  type PathWith,
} from './contract'
import type {
  ApiErrorBody,
  CreateBindingRequest,
  CreateCorrectionRequest,
  StartPaymentRequest,
  InvoiceablePayment,
  OwnerInvoice,
  OwnerInvoiceRequest,
  OwnerMessage,
  SubscribeMoment,
  OwnerPreferencesRequest,
  UpdateOwnerContactRequest,
  OwnerNotice,
  OwnerRepair,
  OwnerFeedback,
  FeedbackFiling,
  OwnerActivity,
  MySignUp,
  SignUpRequest,
  RepairFiling,
  RepairPhoto,
  FeedbackPhoto,
  RepairRating,
  BookRequest,
  VendorKind,
  VendorSort,
  VendorOrder,
  VendorOrderRating,
  VendorOrderStatus,
} from './types'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** First message for a field, if the backend rejected it. */
  fieldError(field: string): string | undefined {
    return this.fields[field]?.[0]
  }
}

export interface ApiClientOptions {
  /** `''` in H5 (same origin); `https://<slug>.<base domain>` in the mini-program. */
  baseUrl: string
  request: (options: RequestOptions) => Promise<RawResponse>
  getToken: () => string | null
  /** Sends one local file as multipart (`platform.uploadFile`); only the photo uploads need it. */
  upload?: (options: UploadOptions) => Promise<RawResponse>
  /** Called when a request that carried a token gets 401 (token expired or revoked). */
  onUnauthorized?: () => void
}

/** A URL with the headers it needs (`Authorization`), for downloads outside `call`. */
export interface AuthorizedFile {
  url: string
  headers: Record<string, string>
}

type Query = Record<string, string | number | undefined | null>

/** `URLSearchParams` does not exist in the mini-program, so encode by hand. */
export function buildQuery(query: Query | undefined): string {
  if (!query) return ''
  const parts: string[] = []
  for (const key of Object.keys(query)) {
    const v = query[key]
    if (v === undefined || v === null || v === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

/** The server's language tag (Django's LANGUAGES: zh-hans, en) for the app's UI locale. */
export function serverLanguage(locale: Locale = getLocale()): string {
  return locale === 'en' ? 'en' : 'zh-hans'
}

/** Headers of every request: the bearer token when signed in, and the UI language for the server's text. */
function requestHeaders(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...extra, 'Accept-Language': serverLanguage() }
  if (token) headers.Authorization = `Bearer ${token}`
  return headers
}

function isErrorBody(data: unknown): data is ApiErrorBody {
  return !!data && typeof data === 'object' && typeof (data as ApiErrorBody).code === 'string'
}

export function toApiError(status: number, data: unknown): ApiError {
  if (isErrorBody(data)) {
    return new ApiError(status, data.code, data.message || t('errors.generic'), data.fields ?? {})
  }
  if (status === 401) return new ApiError(status, 'unauthorized', t('errors.unauthorized'))
  if (status === 429) return new ApiError(status, 'throttled', t('errors.throttled'))
  if (status >= 500) return new ApiError(status, `http_${status}`, t('errors.server'))
  return new ApiError(status, `http_${status}`, t('errors.generic'))
}

export function asList<T>(data: unknown): T[] {
  if (Array.isArray(data)) return data as T[]
  if (data && typeof data === 'object' && Array.isArray((data as { results?: unknown }).results)) {
    return (data as { results: T[] }).results
  }
  return []
}

export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')

  async function call<T>(method: HttpMethod, path: string, body?: unknown, query?: Query): Promise<T> {
    const token = options.getToken()
    const headers = requestHeaders(token, { Accept: 'application/json' })
    let res: RawResponse
    try {
      res = await options.request({ url: `${base}${path}${buildQuery(query)}`, method, data: body, headers })
    } catch {
      throw new ApiError(0, 'network', t('errors.network'))
    }
    if (res.status >= 200 && res.status < 300) return res.data as T
    if (res.status === 401 && token) options.onUnauthorized?.()
    throw toApiError(res.status, res.data)
  }

  /** A call typed by the API document: path, parameters, body and answer. */
  function typed<M extends Method, P extends ApiPath>(
    method: M,
    path: P,
    body: unknown,
    options: CallOptions<P, M> | undefined,
  ): Promise<Answer<P, M>> {
    const params = options?.path as Record<string, string | number> | undefined
    const query = options?.query as Query | undefined
    return call<Answer<P, M>>(method.toUpperCase() as HttpMethod, fillPath(path, params), body, query)
  }
  const get = <P extends PathWith<'get'>>(path: P, ...[options]: OptionsArg<P, 'get'>) =>
    typed('get', path, undefined, options)
  const post = <P extends PathWith<'post'>>(path: P, body: Body<P, 'post'>, ...[options]: OptionsArg<P, 'post'>) =>
    typed('post', path, body, options)
  const patch = <P extends PathWith<'patch'>>(path: P, body: Body<P, 'patch'>, ...[options]: OptionsArg<P, 'patch'>) =>
    typed('patch', path, body, options)
  const put = <P extends PathWith<'put'>>(path: P, body: Body<P, 'put'>, ...[options]: OptionsArg<P, 'put'>) =>
    typed('put', path, body, options)

  /**
   * A file the app does not read as JSON (a receipt PDF): its full URL and the headers that
   * authorise it, for the platform to download and show (`platform.openPdf`).
   */
  function authorizedFile<P extends PathWith<'get'>>(path: P, params: Record<string, string | number>): AuthorizedFile {
    const token = options.getToken()
    return {
      url: `${base}${fillPath(path, params)}`,
      headers: requestHeaders(token),
    }
  }

  /** One photo uploaded as the owner to `path` (a repair's or a feedback item's uploads); name its
   * id in `photos` when filing. */
  async function uploadPhoto<T>(path: string, filePath: string): Promise<T> {
    const token = options.getToken()
    if (!options.upload) throw new ApiError(0, 'unsupported', t('errors.generic'))
    let res: RawResponse
    try {
      res = await options.upload({
        url: `${base}${path}`,
        filePath,
        name: 'file',
        headers: requestHeaders(token, { Accept: 'application/json' }),
      })
    } catch {
      throw new ApiError(0, 'network', t('errors.network'))
    }
    if (res.status === 201 || res.status === 200) return res.data as T
    if (res.status === 401 && token) options.onUnauthorized?.()
    throw toApiError(res.status, res.data)
  }
  const uploadRepairPhoto = (filePath: string) => uploadPhoto<RepairPhoto>('/api/v1/owner/repair-photos/', filePath)
  const uploadFeedbackPhoto = (filePath: string) => uploadPhoto<FeedbackPhoto>('/api/v1/owner/feedback-photos/', filePath)

  /** A photo's URL as the server names it (a path on this host), with the token to fetch it. */
  const repairPhotoFile = (path: string): AuthorizedFile => ({
    url: /^https?:\/\//.test(path) ? path : `${base}${path}`,
    headers: requestHeaders(options.getToken()),
  })

  /** A list endpoint answers an array (`pagination_class = None`); a DRF page is accepted too. */
  const list = async <T>(answer: Promise<T[]>): Promise<T[]> => asList<T>(await answer)

  return {
    call,
    site: () => get('/api/v1/site/'),
    /** 用户协议 / 隐私政策: the company's own or the default template in the request's language. */
    agreement: (kind: 'user_agreement' | 'privacy_policy') => get('/api/v1/site/agreements/{kind}/', { path: { kind } }),
    wechatLogin: (code: string) => post('/api/v1/auth/wechat/', { code }),
    sendSmsCode: (phone: string) => post('/api/v1/auth/sms/send/', { phone }),
    smsLogin: (phone: string, code: string) => post('/api/v1/auth/sms/login/', { phone, code }),
    me: () => get('/api/v1/me/'),
    estates: () => list(get('/api/v1/owner/estates/')),
    houses: (estateId: number, search?: string) =>
      list(get('/api/v1/owner/estates/{estate_id}/houses/', { path: { estate_id: estateId }, query: { search: search?.trim() } })),
    createBinding: (body: CreateBindingRequest) => post('/api/v1/owner/bindings/', body),
    bindings: () => list(get('/api/v1/owner/bindings/')),
    ownerHouses: () => list(get('/api/v1/owner/houses/')),
    ownerProfile: () => get('/api/v1/owner/profile/'),
    updateOwnerContact: (body: UpdateOwnerContactRequest) => patch('/api/v1/owner/profile/', body),
    requestCorrection: (body: CreateCorrectionRequest) => post('/api/v1/owner/profile/corrections/', body),
    /** Every bound house's bills (one answer per house), or one house's. */
    ownerBills: (house?: number | null) => get('/api/v1/owner/bills/', { query: { house: house ?? undefined } }),
    /** One page of payments (newest first), of one house or all. */
    ownerBillHistory: (house: number | null | undefined, page = 1) =>
      get('/api/v1/owner/bills/history/', { query: { house: house ?? undefined, page } }),
    /** How this owner can pay on this device now (empty: at the office only). */
    paymentMethods: (client: 'mp-weixin' | 'h5') => get('/api/v1/owner/payments/methods/', { query: { client } }),
    /** What paying these charges (all due when empty) comes to today, late fees included. */
    paymentQuote: (house: number, chargeIds: readonly number[]) =>
      get('/api/v1/owner/payments/quote/', { query: { house, charge_ids: chargeIds.join(',') || undefined } }),
    startPayment: (body: StartPaymentRequest) => post('/api/v1/owner/payments/', body),
    paymentOrder: (id: number) => get('/api/v1/owner/payments/{id}/', { path: { id } }),
    receiptPdf: (receiptId: number) =>
      authorizedFile('/api/v1/owner/receipts/{receipt_id}/pdf/', { receipt_id: receiptId }),
    /** My invoice requests (newest first), of one house or all. */
    ownerInvoices: async (house?: number | null) =>
      asList<OwnerInvoice>(await get('/api/v1/owner/invoices/', { query: { house: house ?? undefined, page_size: 100 } })),
    /** Paid payments not yet on an invoice (newest first). */
    invoiceablePayments: async (house?: number | null) =>
      asList<InvoiceablePayment>(
        await get('/api/v1/owner/invoices/payments/', { query: { house: house ?? undefined, page_size: 100 } }),
      ),
    requestInvoice: (body: OwnerInvoiceRequest) => post('/api/v1/owner/invoices/', body),
    invoicePdf: (invoiceId: number) =>
      authorizedFile('/api/v1/owner/invoices/{invoice_id}/pdf/', { invoice_id: invoiceId }),
    redInvoicePdf: (invoiceId: number) =>
      authorizedFile('/api/v1/owner/invoices/{invoice_id}/red-pdf/', { invoice_id: invoiceId }),
    /** My messages, newest first (the latest 50). */
    ownerMessages: async () =>
      asList<OwnerMessage>(await get('/api/v1/owner/notifications/', { query: { page_size: 50 } })),
    ownerUnreadCount: async () => (await get('/api/v1/owner/notifications/unread-count/')).unread,
    readMessage: (id: number) => post('/api/v1/owner/notifications/{id}/read/', undefined, { path: { id } }),
    readAllMessages: () => post('/api/v1/owner/notifications/read-all/', undefined),
    /** The WeChat subscribe-message templates worth asking for at a moment, and my subscriptions left. */
    wechatSubscriptions: (moment: SubscribeMoment) => get('/api/v1/owner/wechat-subscriptions/', { query: { moment } }),
    /** The templates I accepted in wx.requestSubscribeMessage: one message each. */
    addWechatSubscriptions: (templateIds: readonly string[]) =>
      post('/api/v1/owner/wechat-subscriptions/', { template_ids: [...templateIds] }),
    /** 通知设置: the events the owner mutes (never the essential ones) and quiet hours. */
    ownerPreferences: () => get('/api/v1/owner/notification-preferences/'),
    saveOwnerPreferences: (body: OwnerPreferencesRequest) => put('/api/v1/owner/notification-preferences/', body),
    /** 报修: the categories I can file under (active, two levels), my repairs, one with its timeline. */
    repairCategories: () => list(get('/api/v1/owner/repair-categories/')),
    /** One page of my repair orders, newest first. */
    ownerRepairs: (page = 1) => get('/api/v1/owner/repairs/', { query: { page } }),
    ownerRepair: (id: number) => get('/api/v1/owner/repairs/{id}/', { path: { id } }),
    fileRepair: (body: RepairFiling) => post('/api/v1/owner/repairs/', body),
    cancelRepair: (id: number, note = '') => post('/api/v1/owner/repairs/{id}/cancel/', { note }, { path: { id } }),
    confirmRepair: (id: number, body: RepairRating) => post('/api/v1/owner/repairs/{id}/confirm/', body, { path: { id } }),
    reopenRepair: (id: number, note = '') => post('/api/v1/owner/repairs/{id}/reopen/', { note }, { path: { id } }),
    /** 社区公告: those for my houses (pinned first, each with my read flag); opening one marks it read. */
    /** One page of the notices for my houses (pinned first, then newest). */
    ownerNotices: (page = 1) => get('/api/v1/owner/notices/', { query: { page } }),
    ownerNotice: (id: number) => get('/api/v1/owner/notices/{id}/', { path: { id } }),
    uploadRepairPhoto,
    uploadFeedbackPhoto,
    repairPhotoFile,
    /** 投诉建议: my items (anonymous ones too), one with its reply and timeline, file, withdraw, rate. */
    ownerFeedbackList: (page = 1) => get('/api/v1/owner/feedback/', { query: { page } }),
    ownerFeedback: (id: number) => get('/api/v1/owner/feedback/{id}/', { path: { id } }),
    fileFeedback: (body: FeedbackFiling) => post('/api/v1/owner/feedback/', body),
    withdrawFeedback: (id: number, note = '') => post('/api/v1/owner/feedback/{id}/withdraw/', { note }, { path: { id } }),
    rateFeedback: (id: number, rating: number, note = '') =>
      post('/api/v1/owner/feedback/{id}/rate/', { rating, note }, { path: { id } }),
    /** 社区活动: the activities for my houses' estates, one with my sign-up, signing up and cancelling. */
    /** One page of them (the newest start first, finished ones too). */
    ownerActivities: (page = 1) => get('/api/v1/owner/activities/', { query: { page } }),
    ownerActivity: (id: number) => get('/api/v1/owner/activities/{id}/', { path: { id } }),
    signUpActivity: (id: number, body: SignUpRequest) =>
      post('/api/v1/owner/activities/{id}/sign-up/', body, { path: { id } }),
    cancelActivitySignup: (id: number) => post('/api/v1/owner/activities/{id}/cancel-signup/', undefined, { path: { id } }),
    mySignUps: async () => asList<MySignUp>(await get('/api/v1/owner/activity-signups/', { query: { page_size: 100 } })),
    /**
     * 家政服务 / 周边商家: one page of the vendors admitted for my estates, of one kind, by name (the
     * server's default, not sent) or nearest first (`sort=distance`).
     */
    ownerVendors: (kind: Exclude<VendorKind, 'both'>, page = 1, sort: VendorSort = 'name') =>
      get('/api/v1/owner/vendors/', { query: { kind, page, sort: sort === 'distance' ? sort : undefined } }),
    /** One vendor with its shop photos, its offerings (each with its photos) and the open slots of the next 14 days. */
    ownerVendor: (id: number) => get('/api/v1/owner/vendors/{id}/', { path: { id } }),
    /** Book a service or order goods; the same idempotency_key again answers the same order. */
    bookVendorOrder: (body: BookRequest) => post('/api/v1/owner/vendor-orders/', body),
    /** One page of my service orders, newest first (of one status, or all). */
    ownerVendorOrders: (page = 1, status?: VendorOrderStatus) =>
      get('/api/v1/owner/vendor-orders/', { query: { page, status } }),
    ownerVendorOrder: (id: number) => get('/api/v1/owner/vendor-orders/{id}/', { path: { id } }),
    cancelVendorOrder: (id: number, reason = '') =>
      post('/api/v1/owner/vendor-orders/{id}/cancel/', { reason }, { path: { id } }),
    rateVendorOrder: (id: number, body: VendorOrderRating) =>
      call<VendorOrder>('POST', fillPath('/api/v1/owner/vendor-orders/{id}/rate/', { id }), body),
    complainVendorOrder: (id: number, description: string) =>
      call<VendorOrder>('POST', fillPath('/api/v1/owner/vendor-orders/{id}/complain/', { id }), { description }),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
