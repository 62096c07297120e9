/**
 * Online payments, the staff's side (收费管理 → 在线支付; 系统设置 → 微信支付): payment orders
 * with their lines and event trail, asking the gateway now, closing a pending order, and the
 * company's WeChat Pay sub-merchant settings. Amounts are decimal strings ("89.50").
 */
import { api, type ApiPath, type Schemas } from './contract'

export type PaymentOrder = Schemas['StaffOrder']
export type PaymentOrderDetail = Schemas['StaffOrderDetail']
export type PaymentOrderLine = Schemas['StaffOrderLine']
export type PaymentEvent = Schemas['PaymentEvent']
/** A refund of an order: the purpose's request (bills: /refunds/) with its channel refunds' evidence. */
export type PaymentOrderRefund = Schemas['StaffOrderRefund']
export type PaymentRefundEvent = Schemas['RefundEvent']
export type PaymentOrderStatus = Schemas['PaymentOrderStatusEnum']
export type WechatMerchant = Schemas['WechatMerchant']
export type WechatMerchantWrite = Schemas['WechatMerchantRequest']

export const PAYMENT_ORDER_STATUSES: readonly PaymentOrderStatus[] = [
  'created',
  'pending',
  'paid',
  'failed',
  'closed',
  'partially_refunded',
  'refunded',
]

/** The gateways orders are made with today (the filter offers these). */
export const PAYMENT_GATEWAYS = ['wechatpay', 'offline'] as const

/** Statuses an order can still be paid in: staff may ask the gateway or close it. */
export const LIVE_STATUSES: readonly PaymentOrderStatus[] = ['created', 'pending']

export const PAYMENT_ORDERS_ENDPOINT = '/api/v1/payment-orders/' as const satisfies ApiPath

const LOCAL = { handleErrorsLocally: true } as const

export const paymentOrdersApi = {
  get: (id: number) => api.get('/api/v1/payment-orders/{id}/', { path: { id } }),
  query: (id: number) =>
    api.post('/api/v1/payment-orders/{id}/query/', undefined, { path: { id }, ...LOCAL }),
  close: (id: number) =>
    api.post('/api/v1/payment-orders/{id}/close/', undefined, { path: { id }, ...LOCAL }),
}

export const wechatPayApi = {
  get: () => api.get('/api/v1/settings/wechat-pay/'),
  update: (body: WechatMerchantWrite) =>
    api.put('/api/v1/settings/wechat-pay/', body, { handleErrorsLocally: true }),
}
