/**
 * 发票: the owner's invoice requests and the form to ask for one over paid payments, over an API
 * client passed in (the page shares the instance in stores/session.ts; tests use a scripted backend).
 * Amounts are the server's decimal strings; the form's total is added in integer fen.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { InvoiceablePayment, OwnerInvoice } from '@/api/types'
import { t } from '@/i18n'
import { invoiceFormErrors, type InvoiceForm } from '@/utils/invoice'
import { formatYuan, parseAmount } from '@/utils/money'

export type InvoicesApi = Pick<ApiClient, 'ownerInvoices' | 'invoiceablePayments' | 'requestInvoice'>

export function createInvoicesStore(api: InvoicesApi) {
  const state = reactive({
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: '',
    invoices: [] as OwnerInvoice[],
    payments: [] as InvoiceablePayment[],
    form: { titleKind: 'personal', title: '', taxNumber: '', email: '', payments: [] } as InvoiceForm,
    errors: {} as Record<string, string>,
    sending: false,
  })

  async function load(): Promise<void> {
    state.status = 'loading'
    state.error = ''
    try {
      const [invoices, payments] = await Promise.all([api.ownerInvoices(), api.invoiceablePayments()])
      state.invoices = invoices
      state.payments = payments
      state.form.payments = state.form.payments.filter((id) => payments.some((p) => p.id === id))
      state.status = 'ready'
    } catch (err) {
      state.error = err instanceof ApiError ? err.message : t('errors.generic')
      state.status = 'error'
    }
  }

  /** An invoice is for one house: choosing a payment of another house starts the choice again. */
  function toggle(id: number): void {
    const chosen = state.form.payments
    if (chosen.includes(id)) {
      state.form.payments = chosen.filter((p) => p !== id)
      return
    }
    const house = state.payments.find((p) => p.id === id)?.house
    const sameHouse = chosen.filter((p) => state.payments.find((q) => q.id === p)?.house === house)
    state.form.payments = [...sameHouse, id]
  }

  function total(): string {
    const fen = state.form.payments.reduce((sum, id) => {
      const a = parseAmount(state.payments.find((q) => q.id === id)?.invoiceable)
      return sum + (a ? Number(a.yuan) * 100 + Number(a.fen) : 0)
    }, 0)
    return formatYuan(`${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`)
  }

  async function submit(): Promise<boolean> {
    state.errors = invoiceFormErrors(state.form)
    if (Object.keys(state.errors).length) return false
    const house = state.payments.find((p) => p.id === state.form.payments[0])!.house
    state.sending = true
    try {
      await api.requestInvoice({
        house,
        payments: state.form.payments,
        title_kind: state.form.titleKind,
        title: state.form.title.trim(),
        tax_number: state.form.taxNumber.trim().toUpperCase(),
        email: state.form.email.trim(),
      })
      Object.assign(state.form, { title: '', taxNumber: '', email: '', payments: [] })
      await load()
      return true
    } catch (err) {
      if (err instanceof ApiError) {
        const errors: Record<string, string> = {}
        for (const f of ['payments', 'title', 'tax_number', 'email', 'title_kind']) {
          const message = err.fieldError(f)
          if (message) errors[f] = message
        }
        if (!Object.keys(errors).length) errors.form = err.message
        state.errors = errors
      } else {
        state.errors = { form: t('errors.generic') }
      }
      return false
    } finally {
      state.sending = false
    }
  }

  function reset(): void {
    Object.assign(state, { status: 'idle', error: '', invoices: [], payments: [], errors: {}, sending: false })
    Object.assign(state.form, { titleKind: 'personal', title: '', taxNumber: '', email: '', payments: [] })
  }

  return { state, load, toggle, total, submit, reset }
}

export type InvoicesStore = ReturnType<typeof createInvoicesStore>
