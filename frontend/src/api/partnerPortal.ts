/**
 * The partner portal's API (public host, `/api/v1/partner/…`): a vendor signs up and in with its
 * own bearer token, uploads its qualification documents and applies to companies. Every call here
 * takes its credentials explicitly (stores/partner.ts adds them), so the partner token goes to
 * these endpoints and nowhere else; the company admin's session never comes into it.
 */
import { api, type PublicSchemas } from './contract'
import { fetchBlob, type RequestOptions } from './http'

export type PartnerAccount = PublicSchemas['PartnerAccount']
export type PartnerVendor = PublicSchemas['Vendor']
export type PartnerToken = PublicSchemas['PartnerToken']
export type PartnerSignup = PublicSchemas['PartnerSignupRequest']
export type PartnerDocument = PublicSchemas['PartnerDocument']
export type PartnerAdmission = PublicSchemas['PartnerAdmission']
export type PartnerDocumentKind = PublicSchemas['DocumentKindEnum']
export type PartnerVendorKind = PublicSchemas['VendorKindEnum']
export type PartnerOffering = PublicSchemas['PartnerOffering']
export type PartnerOfferingWrite = PublicSchemas['OfferingWriteRequest']
export type OfferingKind = PublicSchemas['OfferingKindEnum']
export type PriceMode = PublicSchemas['PriceModeEnum']
export type PartnerSlot = PublicSchemas['PartnerSlot']
export type PartnerSlotWrite = PublicSchemas['SlotWriteRequest']
export type PartnerSlotChange = PublicSchemas['PatchedSlotChangeRequest']
export type PartnerOrder = PublicSchemas['PartnerOrder']
export type SettlementRow = PublicSchemas['SettlementRow']
export type PartnerShop = PublicSchemas['Shop']
export type PartnerShopChange = PublicSchemas['PatchedShopWriteRequest']
export type PartnerPhoto = PublicSchemas['PartnerPhoto']
export type PartnerNotice = PublicSchemas['PartnerNotice']
export type NoticeSettings = PublicSchemas['NoticeSettings']
/** What a company's invitation link offers (read without signing in). */
export type PartnerInvitation = PublicSchemas['PartnerInvitation']
export type InvitationState = PartnerInvitation['state']
/** At most this many photos of the shop, and of each offering (the server's MAX_PHOTOS). */
export const MAX_PHOTOS = 9
/** The vendor's moves of an order (cancel needs a reason). */
export type OrderMove = 'confirm' | 'start' | 'complete' | 'cancel'

/** The credentials of one call: the bearer header; errors are the caller's (the store's) to handle. */
export type PartnerAuth = Pick<RequestOptions, 'headers' | 'handleErrorsLocally'>

const LOCAL = { handleErrorsLocally: true } as const

export const partnerApi = {
  signup: (body: PartnerSignup) => api.post('/api/v1/partner/signup/', body, LOCAL),
  login: (phone: string, password: string) =>
    api.post('/api/v1/partner/auth/login/', { phone, password }, LOCAL),
  logout: (auth: PartnerAuth) => api.post('/api/v1/partner/auth/logout/', undefined, auth),
  me: (auth: PartnerAuth) => api.get('/api/v1/partner/me/', auth),
  documents: (auth: PartnerAuth, page = 1) =>
    api.get('/api/v1/partner/documents/', { ...auth, query: { page, page_size: 50 } }),
  /** multipart: kind, number, file, expires_on (optional, YYYY-MM-DD). */
  uploadDocument: (auth: PartnerAuth, form: FormData) =>
    api.post('/api/v1/partner/documents/', form, auth),
  admissions: (auth: PartnerAuth, page = 1) =>
    api.get('/api/v1/partner/admissions/', { ...auth, query: { page, page_size: 50 } }),
  /** Apply to a company by its slug, or accept its invitation (the same call). */
  apply: (auth: PartnerAuth, company: string) =>
    api.post('/api/v1/partner/admissions/', { company }, auth),
  /** 服务目录: every offering, for all companies (company null) or one (its slug). */
  offerings: (auth: PartnerAuth) => api.get('/api/v1/partner/offerings/', auth),
  addOffering: (auth: PartnerAuth, body: PartnerOfferingWrite) =>
    api.post('/api/v1/partner/offerings/', body, auth),
  /** The company an offering is for is fixed when it is added: the server ignores it here. */
  changeOffering: (auth: PartnerAuth, id: number, body: Partial<PartnerOfferingWrite>) =>
    api.patch('/api/v1/partner/offerings/{id}/', body, { path: { id }, ...auth }),
  /** 服务时段 from today on, with the places taken (`held`). */
  slots: (auth: PartnerAuth) => api.get('/api/v1/partner/slots/', auth),
  /** One slot, or the same hours on `repeat_days` days: answers the slots made. */
  addSlots: (auth: PartnerAuth, body: PartnerSlotWrite) =>
    api.post('/api/v1/partner/slots/', body, auth),
  changeSlot: (auth: PartnerAuth, id: number, body: PartnerSlotChange) =>
    api.patch('/api/v1/partner/slots/{id}/', body, { path: { id }, ...auth }),
  orders: (auth: PartnerAuth, query: { page: number; status?: string; company?: string }) =>
    api.get('/api/v1/partner/orders/', {
      ...auth,
      query: {
        page: query.page,
        page_size: 20,
        ...(query.status ? { status: query.status } : {}),
        ...(query.company ? { company: query.company } : {}),
      },
    }),
  moveOrder: (auth: PartnerAuth, id: number, move: OrderMove, reason = '') =>
    api.post('/api/v1/partner/orders/{id}/{move}/', move === 'cancel' ? { reason } : {}, {
      path: { id, move },
      ...auth,
    }),
  /** 完成 of a quoted order: with the amount agreed at the door, which the owner then pays. */
  completeQuoted: (auth: PartnerAuth, id: number, amount: string) =>
    api.post(
      '/api/v1/partner/orders/{id}/{move}/',
      { amount },
      { path: { id, move: 'complete' }, ...auth, handleErrorsLocally: true },
    ),
  /** 店铺资料: address, introduction, opening hours, location, and whether it is open now. */
  shop: (auth: PartnerAuth) => api.get('/api/v1/partner/shop/', auth),
  /** Only what changed; hours and the location go in pairs (both null clears them). */
  changeShop: (auth: PartnerAuth, body: PartnerShopChange) =>
    api.patch('/api/v1/partner/shop/', body, auth),
  /** The photos of one offering, or (no offering) all of them: the shop's have `offering` null. */
  photos: (auth: PartnerAuth, offering?: number) =>
    api.get('/api/v1/partner/photos/', {
      ...auth,
      query: offering === undefined ? {} : { offering },
    }),
  /** multipart: file, offering (absent for a photo of the shop). */
  addPhoto: (auth: PartnerAuth, form: FormData) => api.post('/api/v1/partner/photos/', form, auth),
  removePhoto: (auth: PartnerAuth, id: number) =>
    api.delete('/api/v1/partner/photos/{id}/', { path: { id }, ...auth }),
  /** A photo's image or thumbnail (its `url` / `thumbnail_url`), with the vendor's token. */
  photoFile: (auth: PartnerAuth, url: string) => fetchBlob(url, auth),
  /** 结算 of a month (YYYY-MM), one row per company. */
  settlement: (auth: PartnerAuth, month: string) =>
    api.get('/api/v1/partner/settlement/', { ...auth, query: { month } }),
  /** 消息, newest first; `unread` only those not read yet (their count is the nav badge). */
  notices: (auth: PartnerAuth, query: { page: number; unread?: boolean; pageSize?: number }) =>
    api.get('/api/v1/partner/notices/', {
      ...auth,
      query: {
        page: query.page,
        page_size: query.pageSize ?? 20,
        ...(query.unread ? { unread: true } : {}),
      },
    }),
  /** Mark these notices read, or (no ids) every one: answers how many were marked. */
  markNoticesRead: (auth: PartnerAuth, ids?: number[]) =>
    api.post('/api/v1/partner/notices/read/', ids ? { ids } : {}, auth),
  /** Whether notices also go by text to the contact phone (only the manager changes it). */
  noticeSettings: (auth: PartnerAuth) => api.get('/api/v1/partner/notices/settings/', auth),
  changeNoticeSettings: (auth: PartnerAuth, body: NoticeSettings) =>
    api.patch('/api/v1/partner/notices/settings/', body, auth),
  /** A company's invitation by its link's token, signed in or not: 404 for a token naming none. */
  invitation: (token: string) =>
    api.get('/api/v1/partner/invitations/{token}/', { path: { token }, ...LOCAL }),
  /** Take up an invitation (the manager): the vendor applies to the inviting company. */
  acceptInvitation: (auth: PartnerAuth, token: string) =>
    api.post('/api/v1/partner/invitations/accept/', { token }, auth),
}
