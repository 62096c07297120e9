import type { RouteRecordRaw } from 'vue-router'

const module = 'fees' as const
const MANAGE = 'fees.manage'
const VIEW = 'fees.view'
const COLLECT = 'fees.collect'
const APPROVE = 'fees.approve'

/**
 * The money tabs (收银台 first: the page a cashier works in all day), then bills, payments and
 * receipts, online payment orders (在线支付), approvals, deposits and prepaid balances, and 对账
 * (payments.reconcile).
 */
export const ledgerTabRoutes: RouteRecordRaw[] = [
  {
    path: 'cashdesk',
    name: 'fees-cashdesk',
    component: () => import('@/pages/company/fees/cashdesk/CashDeskPage.vue'),
    meta: { module, title: 'ledger.tabs.cashdesk', tab: true, permission: COLLECT },
  },
  {
    path: 'bills',
    name: 'fees-bills',
    component: () => import('@/pages/company/fees/bills/BillsPage.vue'),
    meta: { module, title: 'ledger.tabs.bills', tab: true, permission: VIEW },
  },
  {
    path: 'receipts',
    name: 'fees-receipts',
    component: () => import('@/pages/company/fees/receipts/ReceiptsPage.vue'),
    meta: { module, title: 'ledger.tabs.receipts', tab: true, permission: VIEW },
  },
  {
    path: 'online-payments',
    name: 'fees-online-payments',
    component: () => import('@/pages/company/fees/payments/OnlinePaymentsPage.vue'),
    meta: { module, title: 'payments.tab', tab: true, permission: 'payments.view' },
  },
  {
    path: 'approvals',
    name: 'fees-approvals',
    component: () => import('@/pages/company/fees/approvals/ApprovalsPage.vue'),
    meta: { module, title: 'ledger.tabs.approvals', tab: true, permission: APPROVE },
  },
  {
    path: 'deposits',
    name: 'fees-deposits',
    component: () => import('@/pages/company/fees/deposits/DepositsPage.vue'),
    meta: { module, title: 'ledger.tabs.deposits', tab: true, permission: VIEW },
  },
  {
    path: 'invoices',
    name: 'fees-invoices',
    component: () => import('@/pages/company/fees/invoices/InvoicesPage.vue'),
    meta: { module, title: 'invoices.tab', tab: true, permission: VIEW },
  },
  {
    path: 'reconciliation',
    name: 'fees-reconciliation',
    component: () => import('@/pages/company/fees/reconciliation/ReconciliationPage.vue'),
    meta: { module, title: 'reconciliation.tab', tab: true, permission: 'payments.reconcile' },
  },
]

/**
 * 收费管理 (/fees): one layout with tabs (the child routes marked `meta.tab`, in this order), every
 * page lazy-loaded. Configuration tabs need fees.manage, reports fees.view (the server checks every
 * call too). The cash desk, bills, receipts, approvals and deposits/prepaid tabs are added to
 * `feesTabRoutes` by their own pages, in the order the section shows them.
 */
export const feesTabRoutes: RouteRecordRaw[] = [
  ...ledgerTabRoutes,
  {
    path: 'items',
    name: 'fees-items',
    component: () => import('@/pages/company/fees/FeeItemsPage.vue'),
    meta: { module, title: 'fees.tabs.items', tab: true, permission: MANAGE },
  },
  {
    path: 'assignments',
    name: 'fees-assignments',
    component: () => import('@/pages/company/fees/AssignmentsPage.vue'),
    meta: { module, title: 'fees.tabs.assignments', tab: true, permission: MANAGE },
  },
  {
    path: 'meters',
    name: 'fees-meters',
    component: () => import('@/pages/company/fees/MetersPage.vue'),
    meta: { module, title: 'fees.tabs.meters', tab: true, permission: VIEW },
  },
  {
    path: 'bill-runs',
    name: 'fees-bill-runs',
    component: () => import('@/pages/company/fees/BillRunsPage.vue'),
    meta: { module, title: 'fees.tabs.billRuns', tab: true, permission: MANAGE },
  },
  {
    path: 'discounts',
    name: 'fees-discounts',
    component: () => import('@/pages/company/fees/discounts/DiscountRulesPage.vue'),
    meta: { module, title: 'fees.tabs.discounts', tab: true, permission: MANAGE },
  },
  {
    path: 'arrears',
    name: 'fees-arrears',
    component: () => import('@/pages/company/fees/ArrearsPage.vue'),
    meta: { module, title: 'fees.tabs.arrears', tab: true, permission: VIEW },
  },
  {
    path: 'reports',
    name: 'fees-reports',
    component: () => import('@/pages/company/fees/ReportsPage.vue'),
    meta: { module, title: 'fees.tabs.reports', tab: true, permission: VIEW },
  },
  {
    path: 'migration',
    name: 'fees-migration',
    component: () => import('@/pages/company/fees/MigrationPage.vue'),
    meta: { module, title: 'fees.tabs.migration', tab: true, permission: MANAGE },
  },
]

export const feesRoute: RouteRecordRaw = {
  path: 'fees',
  component: () => import('@/layouts/SectionTabsLayout.vue'),
  props: { section: '/fees' },
  meta: { module, title: 'modules.fees' },
  children: [
    // The first tab this user may open (a cashier sees no configuration tabs).
    { path: '', name: 'fees', component: () => import('@/pages/company/fees/FeesHome.vue') },
    ...feesTabRoutes,
  ],
}

/**
 * 手机抄表: the meter reader's phone page. Outside the fees module (a repair worker reads meters
 * without seeing fees): only `meters.read`.
 */
export const meterReadingRoute: RouteRecordRaw = {
  path: 'meter-reading',
  name: 'meter-reading',
  component: () => import('@/pages/company/fees/MeterReadingPage.vue'),
  meta: { title: 'fees.reading.title', permission: 'meters.read' },
}

/** 导入抄表数据: readings from Excel, for the same readers (the fees module's 抄表 tab has it too). */
export const meterReadingImportRoute: RouteRecordRaw = {
  path: 'meter-reading/import',
  name: 'meter-reading-import',
  component: () => import('@/pages/company/fees/parts/MeterImport.vue'),
  props: { canImport: true },
  meta: { title: 'fees.reading.importTitle', permission: 'meters.read' },
}
