/**
 * 发票 (收费管理 → 发票): invoice requests, issuing (electronic, through the provider), paper ones,
 * rejecting, 红冲, asking the provider again; the seller settings. Lazy-loaded with the page.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type Invoice = Schemas['Invoice']
export type InvoiceStatus = Schemas['InvoiceStatusEnum']
export type InvoiceSettings = Schemas['InvoiceSettings']
export type InvoiceablePayment = Schemas['InvoiceablePayment']
export type InvoiceWrite = Schemas['InvoiceRequestRequest']
export type PaperWrite = Schemas['PaperRequest']

export const INVOICE_STATUSES: readonly InvoiceStatus[] = [
  'requested',
  'issuing',
  'issued',
  'failed',
  'rejected',
  'voiding',
  'voided',
]

export const INVOICES_ENDPOINT = '/api/v1/invoices/' as const satisfies ApiPath

/** What staff may do next with an invoice in this status (the server holds the same rules). */
export function nextSteps(
  status: InvoiceStatus,
): ('issue' | 'paper' | 'reject' | 'void' | 'refresh')[] {
  switch (status) {
    case 'requested':
      return ['issue', 'paper', 'reject']
    case 'failed':
      return ['issue', 'reject']
    case 'issued':
      return ['void']
    case 'issuing':
    case 'voiding':
      return ['refresh']
    default:
      return []
  }
}

/** The invoice's PDF (or, `red`, the red invoice's that voided it) in a new tab (the session cookie
 *  authenticates the GET); false when blocked. */
export function openInvoicePdf(id: number, red = false): boolean {
  const opened = window.open(`/api/v1/invoices/${id}/${red ? 'red-pdf' : 'pdf'}/`, '_blank')
  if (!opened) return false
  opened.opener = null
  return true
}

const LOCAL = { handleErrorsLocally: true } as const

export const invoicesApi = {
  get: (id: number) => api.get('/api/v1/invoices/{id}/', { path: { id } }),
  request: (body: InvoiceWrite) => api.post('/api/v1/invoices/', body),
  issue: (id: number) =>
    api.post('/api/v1/invoices/{id}/issue/', undefined, { path: { id }, ...LOCAL }),
  paper: (id: number, body: PaperWrite) =>
    api.post('/api/v1/invoices/{id}/paper/', body, { path: { id }, ...LOCAL }),
  reject: (id: number, reason: string) =>
    api.post('/api/v1/invoices/{id}/reject/', { reason }, { path: { id }, ...LOCAL }),
  void: (id: number, reason: string) =>
    api.post('/api/v1/invoices/{id}/void/', { reason }, { path: { id }, ...LOCAL }),
  refresh: (id: number) =>
    api.post('/api/v1/invoices/{id}/refresh/', undefined, { path: { id }, ...LOCAL }),
  payments: (house: number) => api.get('/api/v1/invoice-payments/', { query: { house } }),
  settings: () => api.get('/api/v1/invoice-settings/'),
  saveSettings: (body: InvoiceSettings) => api.put('/api/v1/invoice-settings/', body),
}
