import { describe, expect, it } from 'vitest'

import { feesRoute, feesTabRoutes } from '@/router/fees'

import { sectionTabs } from '@/router/sectionTabs'

describe('fees tabs', () => {
  it('lists the tabs in order, configuration for managers only', () => {
    const manager = sectionTabs(feesTabRoutes, () => true).map((tab) => tab.name)
    expect(manager).toEqual([
      'fees-cashdesk',
      'fees-bills',
      'fees-receipts',
      'fees-online-payments',
      'fees-approvals',
      'fees-deposits',
      'fees-invoices',
      'fees-reconciliation',
      'fees-items',
      'fees-assignments',
      'fees-meters',
      'fees-bill-runs',
      'fees-discounts',
      'fees-arrears',
      'fees-reports',
      'fees-migration',
    ])
    const cashier = sectionTabs(feesTabRoutes, (p) => ['fees.view', 'payments.view'].includes(p)).map(
      (tab) => tab.name,
    )
    expect(cashier).toEqual([
      'fees-bills',
      'fees-receipts',
      'fees-online-payments',
      'fees-deposits',
      'fees-invoices',
      'fees-meters',
      'fees-arrears',
      'fees-reports',
    ])
    expect(feesRoute.meta?.module).toBe('fees')
  })
})
