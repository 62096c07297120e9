import { afterEach, describe, expect, it, vi } from 'vitest'

import type { SubscriptionOverview } from '@/api/subscription'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
} from '@/pages/company/basic-data/__tests__/helpers'
import SuspendedPage from '@/pages/company/SuspendedPage.vue'
import SubscriptionPage from '@/pages/company/settings/SubscriptionPage.vue'
import { jsonResponse } from '@/test/http'

const ADMIN = ['settings.manage']

function overview(over: Partial<SubscriptionOverview> = {}): SubscriptionOverview {
  return {
    plan: {
      code: 'trial',
      name: '免费试用',
      max_houses: 500,
      max_staff: 20,
      monthly_price: '0.00',
      purchasable: false,
    },
    status: 'trialing',
    trial_ends_at: '2026-12-20T00:00:00Z',
    trial_days_left: 12,
    grace_ends_at: null,
    current_period_end: null,
    can_manage_card: false,
    usage: [
      { kind: 'houses', used: 480, limit: 500 },
      { kind: 'staff', used: 20, limit: 20 },
    ],
    plans: [
      {
        code: 'standard',
        name: '标准版',
        max_houses: 3000,
        max_staff: 100,
        monthly_price: '999.00',
        purchasable: true,
      },
      {
        code: 'pro',
        name: '专业版',
        max_houses: 20000,
        max_staff: 500,
        monthly_price: '2999.00',
        purchasable: false,
      },
    ],
    ...over,
  }
}

const INVOICE = {
  id: 1,
  number: 'WUYE-0001',
  status: 'paid',
  currency: 'cny',
  amount_due: '999.00',
  amount_paid: '999.00',
  period_start: '2026-11-01T00:00:00Z',
  period_end: '2026-12-01T00:00:00Z',
  hosted_invoice_url: 'https://invoice.stripe.example/i/1',
  issued_at: '2026-11-01T00:00:00Z',
}

function backend(state = overview(), invoices: unknown[] = []) {
  return fakeApi({
    'GET /api/v1/subscription/': () => jsonResponse(state),
    'GET /api/v1/subscription/invoices/': () => page(invoices),
    'POST /api/v1/subscription/checkout/': () =>
      jsonResponse({ url: 'https://checkout.stripe.example/cs_1' }),
    'POST /api/v1/subscription/portal/': () =>
      jsonResponse({ url: 'https://billing.stripe.example/p_1' }),
  })
}

afterEach(() => vi.unstubAllGlobals())

describe('SubscriptionPage', () => {
  it('shows the plan, trial days left and usage against the limits', async () => {
    backend()
    await mountPage(SubscriptionPage, { path: '/settings/subscription', permissions: ADMIN })
    expect($('subscription-plan')?.textContent).toBe('免费试用')
    expect($('subscription-status')?.textContent).toContain('试用中')
    expect($('trial-days-left')?.textContent).toContain('试用剩余 12 天')
    expect($('usage-houses')?.textContent).toContain('480 / 500')
    expect($('usage-staff')?.textContent).toContain('20 / 20')
    expect(($('subscribe-pro') as HTMLButtonElement).disabled).toBe(true) // no Stripe price
    expect($('manage-card')).toBeNull()
  })

  it('sends the admin to Stripe Checkout for the chosen plan', async () => {
    const all = backend()
    const assign = vi.fn()
    vi.stubGlobal('location', { ...window.location, assign })
    await mountPage(SubscriptionPage, { path: '/settings/subscription', permissions: ADMIN })
    await click('subscribe-standard')
    const posted = calls(all, 'POST', '/api/v1/subscription/checkout/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0])).toEqual({ plan: 'standard' })
    expect(assign).toHaveBeenCalledWith('https://checkout.stripe.example/cs_1')
  })

  it('shows the invoices and the card link once subscribed', async () => {
    backend(
      overview({
        plan: overview().plans[0],
        status: 'active',
        trial_ends_at: null,
        trial_days_left: null,
        can_manage_card: true,
        current_period_end: '2026-12-01T00:00:00Z',
      }),
      [INVOICE],
    )
    await mountPage(SubscriptionPage, { path: '/settings/subscription', permissions: ADMIN })
    expect($('subscription-status')?.textContent).toContain('已订阅')
    expect($('subscription-invoices')?.textContent).toContain('WUYE-0001')
    expect($('subscription-invoices')?.textContent).toContain('已支付')
    expect(($('subscribe-standard') as HTMLButtonElement).disabled).toBe(true) // the current plan
    expect($('manage-card')).not.toBeNull()
  })

  it('says so when it comes back from a plan changed in place', async () => {
    backend(overview({ status: 'active', trial_ends_at: null, trial_days_left: null }))
    await mountPage(SubscriptionPage, {
      path: '/settings/subscription?checkout=changed',
      permissions: ADMIN,
      modules: ['settings'],
    })
    expect($('subscription-page')?.textContent).toContain('套餐已变更')
  })

  it("shows the server's refusal when Stripe is unavailable", async () => {
    fakeApi({
      'GET /api/v1/subscription/': () => jsonResponse(overview()),
      'GET /api/v1/subscription/invoices/': () => page([]),
      'POST /api/v1/subscription/checkout/': () =>
        jsonResponse(
          { code: 'gateway_unavailable', message: '支付服务暂时不可用，请稍后重试。', fields: {} },
          503,
        ),
    })
    await mountPage(SubscriptionPage, { path: '/settings/subscription', permissions: ADMIN })
    await click('subscribe-standard')
    expect($('subscription-error')?.textContent).toContain('支付服务暂时不可用')
  })
})

describe('SuspendedPage', () => {
  it('tells staff how to resume, and offers the admin the way to pay', async () => {
    await mountPage(SuspendedPage, {
      path: '/suspended?reason=subscription_suspended',
      permissions: ADMIN,
    })
    expect($('suspended')?.textContent).toContain('业主仍可查看和缴纳账单')
    expect($('suspended')?.textContent).toContain('订阅与套餐')
    expect($('suspended-pay')).not.toBeNull()
  })

  it('offers a staff member without settings no payment button', async () => {
    await mountPage(SuspendedPage, {
      path: '/suspended?reason=subscription_suspended',
      permissions: [],
    })
    expect($('suspended-pay')).toBeNull()
  })
})
