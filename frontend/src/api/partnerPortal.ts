/**
 * The partner portal's API (public host, `/api/v1/partner/…`): a vendor signs up and in with its
 * own bearer token, uploads its qualification documents and applies to companies. Every call here
 * takes its credentials explicitly (stores/partner.ts adds them), so the partner token goes to
 * these endpoints and nowhere else; the company admin's session never comes into it.
 */
import { api, type PublicSchemas } from './contract'
import type { RequestOptions } from './http'

export type PartnerAccount = PublicSchemas['PartnerAccount']
export type PartnerVendor = PublicSchemas['Vendor']
export type PartnerToken = PublicSchemas['PartnerToken']
export type PartnerSignup = PublicSchemas['PartnerSignupRequest']
export type PartnerDocument = PublicSchemas['PartnerDocument']
export type PartnerAdmission = PublicSchemas['PartnerAdmission']
export type PartnerDocumentKind = PublicSchemas['DocumentKindEnum']
export type PartnerVendorKind = PublicSchemas['VendorKindEnum']

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
}
