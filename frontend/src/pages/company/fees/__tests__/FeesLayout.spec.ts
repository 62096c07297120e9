import { describe, expect, it } from 'vitest'

import { feesRoute, feesTabRoutes } from '@/router/fees'

import { feeTabs } from '../tabs'

describe('fees tabs', () => {
  it('lists the tabs in order, configuration for managers only', () => {
    const manager = feeTabs(feesTabRoutes, () => true).map((tab) => tab.name)
    expect(manager).toEqual([
      'fees-cashdesk',
      'fees-bills',
      'fees-receipts',
      'fees-approvals',
      'fees-deposits',
      'fees-invoices',
      'fees-items',
      'fees-assignments',
      'fees-meters',
      'fees-bill-runs',
      'fees-discounts',
      'fees-arrears',
      'fees-reports',
    ])
    const cashier = feeTabs(feesTabRoutes, (p) => p === 'fees.view').map((tab) => tab.name)
    expect(cashier).toEqual([
      'fees-bills',
      'fees-receipts',
      'fees-deposits',
      'fees-invoices',
      'fees-meters',
      'fees-arrears',
      'fees-reports',
    ])
    expect(feesRoute.meta?.module).toBe('fees')
  })
})
