/**
 * 订阅与套餐: the company's plan, usage against its limits, its Stripe invoices, and the Checkout and
 * Billing portal links (the browser goes there; what was paid comes back through Stripe's webhooks).
 */
import { api, type Schemas } from './contract'

export type SubscriptionOverview = Schemas['SubscriptionOverview']
export type SubscriptionPlan = Schemas['SubscriptionPlan']
export type SubscriptionInvoice = Schemas['SubscriptionInvoice']
export type PlanUsage = Schemas['PlanUsage']

export const subscriptionApi = {
  get: () => api.get('/api/v1/subscription/'),
  invoices: (page = 1) => api.get('/api/v1/subscription/invoices/', { query: { page } }),
  checkout: (plan: string) => api.post('/api/v1/subscription/checkout/', { plan }),
  portal: () => api.post('/api/v1/subscription/portal/', undefined),
}
