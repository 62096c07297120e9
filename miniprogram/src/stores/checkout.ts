/**
 * The payment step every purpose shares (物业账单 on the bills page, 服务订单 on the vendor pages):
 * the ways to pay on this device, starting a payment order for what is paid (`purpose` and its
 * ids), and handing the order to the device (WeChat Pay in the mini-program, the provider's page in
 * a browser). Works on a state object the caller owns (its fields below), like stores/photoPicks.
 */
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { PayClient, PayMethod, PaymentOrder, PaymentPurpose } from '@/api/types'
import { t } from '@/i18n'
import { PlatformError } from '@/platform/types'
import type { PaymentParams, Platform } from '@/platform/types'

export type CheckoutApi = Pick<ApiClient, 'paymentMethods' | 'startPayment'>

export interface CheckoutState {
  methods: PayMethod[]
  methodsStatus: 'idle' | 'loading' | 'ready' | 'error'
  /** `gateway:channel` of the chosen method. */
  method: string
  paying: boolean
  error: string
}

export const checkoutFields = (): CheckoutState => ({ methods: [], methodsStatus: 'idle', method: '', paying: false, error: '' })

export const methodKey = (m: Pick<PayMethod, 'gateway' | 'channel'>): string => `${m.gateway}:${m.channel}`

/** One key per tap on "pay": a retried request is the same attempt, a new tap a new one. */
export function newAttemptKey(now: number = Date.now(), random: () => number = Math.random, prefix = 'pay'): string {
  return `${prefix}-${now.toString(36)}-${Math.floor(random() * 36 ** 8).toString(36)}`
}

const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : t('errors.generic'))

/** The ways to pay here; the chosen one kept when still offered, else the first. */
export async function loadMethods(state: CheckoutState, api: CheckoutApi, client: PayClient): Promise<void> {
  state.methodsStatus = 'loading'
  try {
    state.methods = await api.paymentMethods(client)
    state.methodsStatus = 'ready'
    if (!state.methods.some((m) => methodKey(m) === state.method)) state.method = state.methods[0] ? methodKey(state.methods[0]) : ''
  } catch {
    state.methods = []
    state.methodsStatus = 'error'
  }
}

export function chooseMethod(state: CheckoutState, key: string): void {
  if (state.methods.some((m) => methodKey(m) === key)) state.method = key
}

/** What a payment order is for: the house that pays, the purpose and its ids (bills: none = all due). */
export interface PaymentTarget {
  house: number
  charge_ids: number[]
  purpose: PaymentPurpose
}

/** Start a payment order with the chosen method (null: refused or nothing to pay with; see `error`). */
export async function startOrder(state: CheckoutState, api: CheckoutApi, target: PaymentTarget): Promise<PaymentOrder | null> {
  const method = state.methods.find((m) => methodKey(m) === state.method)
  if (state.paying) return null
  if (!method) {
    state.error = t('pay.unavailable')
    return null
  }
  state.paying = true
  state.error = ''
  try {
    return await api.startPayment({
      house: target.house,
      charge_ids: target.charge_ids,
      purpose: target.purpose,
      idempotency_key: newAttemptKey(),
      gateway: method.gateway,
      channel: method.channel,
    })
  } catch (err) {
    state.error = messageOf(err)
    return null
  } finally {
    state.paying = false
  }
}

/**
 * Hand a started order to the device. `go`: open `resultUrl` now (paid, or failed for a reason the
 * result page will say); `cancelled`: the owner closed WeChat Pay; `left`: a browser went to the
 * provider's page, which comes back to `resultUrl`.
 */
export type LaunchOutcome = 'go' | 'cancelled' | 'left'

export async function launchPayment(
  device: Pick<Platform, 'requestPayment' | 'openPaymentPage'>,
  order: PaymentOrder,
  resultUrl: string,
): Promise<LaunchOutcome> {
  if (order.request_payment) {
    try {
      await device.requestPayment(order.request_payment as unknown as PaymentParams)
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'cancelled') return 'cancelled'
    }
    return 'go'
  }
  if (order.pay_url) {
    device.openPaymentPage(order.pay_url, resultUrl)
    return 'left'
  }
  return 'go'
}
