/**
 * 服务商准入, the company's side (`partner-admissions/`): the vendors it invited, that applied to it
 * or that it admitted; their documents (downloaded with the staff's own session); every decision.
 */
import { api, type ApiPath, type Schemas } from './contract'
import { download, http } from './http'

export type Admission = Schemas['Admission']
export type AdmissionDetail = Schemas['AdmissionDetail']
export type AdmissionDocument = Schemas['AdmissionDocument']
export type AdmissionStatus = Schemas['AdmissionStatusEnum']
export type VendorKind = Schemas['VendorKindEnum']
export type DocumentKind = Schemas['DocumentKindEnum']

/** approve and terms: the estates served and the commission as a fraction string ("0.0500"). */
export interface AdmissionTerms {
  estate_ids: number[]
  commission_rate: string
}

export const ADMISSION_STATUSES: readonly AdmissionStatus[] = [
  'applied',
  'invited',
  'approved',
  'suspended',
  'rejected',
]
export const VENDOR_KINDS: readonly VendorKind[] = ['merchant', 'housekeeping', 'both']
export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  'business_licence',
  'food_licence',
  'health_certificate',
  'other',
]

/** 服务订单 as staff see them (`vendor-orders/`): the owner's phone always masked. */
export type VendorOrderRow = Schemas['VendorOrderStaff']

export type SettlementRow = Schemas['SettlementRow']

/** Every status of a service order, in the order it moves through them. */
export const ORDER_STATUSES = [
  'unpaid',
  'booked',
  'confirmed',
  'in_service',
  'done',
  'rated',
  'cancelled',
] as const

export const VENDOR_ORDERS_ENDPOINT = '/api/v1/vendor-orders/' as const satisfies ApiPath

/** The company's own moves of a service order (partners.manage): the answer is the order again. */
export const vendorOrdersApi = {
  cancel: (id: number, reason: string) =>
    api.post(
      '/api/v1/vendor-orders/{id}/cancel/',
      { reason },
      { path: { id }, handleErrorsLocally: true },
    ),
  /** A quoted order takes the amount agreed at the door. */
  complete: (id: number, amount?: string) =>
    api.post('/api/v1/vendor-orders/{id}/complete/', amount ? { amount } : {}, {
      path: { id },
      ...(amount ? { handleErrorsLocally: true } : {}),
    }),
  retryRefund: (id: number) =>
    api.post('/api/v1/vendor-orders/{id}/refund/', undefined, { path: { id } }),
}

/** The statuses staff may cancel an order in: every live one, an order under way included. */
export const CANCELLABLE_ORDER_STATUSES: readonly string[] = [
  'unpaid',
  'booked',
  'confirmed',
  'in_service',
]

/** The company's 结算 with each vendor for a month (YYYY-MM). */
export const companySettlement = (month: string) =>
  api.get('/api/v1/partner-settlement/', { query: { month } })

export const ADMISSIONS_ENDPOINT = '/api/v1/partner-admissions/' as const satisfies ApiPath

const LOCAL = { handleErrorsLocally: true } as const

export const admissionsApi = {
  get: (id: number) => api.get('/api/v1/partner-admissions/{id}/', { path: { id } }),
  invite: (vendorCode: string) =>
    api.post('/api/v1/partner-admissions/invite/', { vendor_code: vendorCode }, LOCAL),
  approve: (id: number, terms: AdmissionTerms) =>
    api.post('/api/v1/partner-admissions/{id}/approve/', terms, { path: { id }, ...LOCAL }),
  /** 编辑合作条款 of an approved vendor (not yet in the generated schema: typed by hand). */
  changeTerms: (id: number, terms: AdmissionTerms) =>
    http.post<Admission>(`${ADMISSIONS_ENDPOINT}${id}/terms/`, terms, LOCAL),
  reject: (id: number, reason: string) =>
    api.post('/api/v1/partner-admissions/{id}/reject/', { reason }, { path: { id }, ...LOCAL }),
  suspend: (id: number, reason: string) =>
    api.post('/api/v1/partner-admissions/{id}/suspend/', { reason }, { path: { id }, ...LOCAL }),
  reinstate: (id: number) =>
    api.post('/api/v1/partner-admissions/{id}/reinstate/', undefined, { path: { id } }),
  /** A document's file, saved through the browser. */
  downloadDocument: (id: number, documentId: number, fallbackName: string) =>
    download(`${ADMISSIONS_ENDPOINT}${id}/documents/${documentId}/file/`, undefined, fallbackName),
}

/** 短信邀请: a vendor not yet on the platform, invited by a text with a link to the join page. */
export type VendorInvitation = Schemas['VendorInvitation']
export type VendorInvite = Schemas['VendorInviteRequest']
export const INVITATION_STATES = ['pending', 'accepted', 'expired', 'revoked'] as const

export const INVITATIONS_ENDPOINT = '/api/v1/partner-invitations/' as const satisfies ApiPath

export const invitationsApi = {
  /** 400 with field errors (a phone already invited and pending), 429 past the daily limit. */
  create: (body: VendorInvite) => api.post('/api/v1/partner-invitations/', body, LOCAL),
  /** A new link, good for seven more days: 409 once accepted or revoked, 429 within a minute. */
  resend: (id: number) =>
    api.post('/api/v1/partner-invitations/{id}/resend/', undefined, { path: { id } }),
  /** The link stops working: 409 once accepted. */
  revoke: (id: number) =>
    api.post('/api/v1/partner-invitations/{id}/revoke/', undefined, { path: { id } }),
}
