/**
 * The invoice title form's rules, as the server checks them (billing.models.invoices): a company
 * title needs its tax number — an 18-character unified social credit code whose last character is
 * its check character, or an older 15, 17 or 20 character taxpayer number. The server decides in the
 * end; this only spares the owner a round trip.
 */
import { t } from '@/i18n'

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const USCC = /^[1-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$/
const LEGACY = /^([0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{20})$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function isValidTaxNumber(value: string): boolean {
  if (value.length === 18) {
    if (!USCC.test(value)) return false
    const total = USCC_WEIGHTS.reduce((sum, w, i) => sum + USCC_ALPHABET.indexOf(value[i]) * w, 0)
    return USCC_ALPHABET[(31 - (total % 31)) % 31] === value[17]
  }
  return LEGACY.test(value)
}

export interface InvoiceForm {
  titleKind: 'personal' | 'company'
  title: string
  taxNumber: string
  email: string
  payments: number[]
}

/** Field → message for what is wrong; empty when the form may be sent. */
export function invoiceFormErrors(form: InvoiceForm): Record<string, string> {
  const errors: Record<string, string> = {}
  const tax = form.taxNumber.trim().toUpperCase()
  if (form.payments.length === 0) errors.payments = t('invoices.pickPayments')
  if (!form.title.trim()) errors.title = t('invoices.titleRequired')
  else if (form.title.trim().length > 100) errors.title = t('invoices.titleTooLong')
  if (form.titleKind === 'company' && !tax) errors.tax_number = t('invoices.taxRequired')
  else if (tax && !isValidTaxNumber(tax)) errors.tax_number = t('invoices.taxInvalid')
  if (form.email.trim() && !EMAIL.test(form.email.trim())) errors.email = t('invoices.emailInvalid')
  return errors
}
