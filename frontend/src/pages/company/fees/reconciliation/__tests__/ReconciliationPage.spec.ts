import { afterEach, describe, expect, it, vi } from 'vitest'

import type { ReconciliationItem, ReconciliationRun } from '@/api/reconciliation'
import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  settle,
  type,
} from '../../../basic-data/__tests__/helpers'
import ReconciliationPage from '../ReconciliationPage.vue'

const RECONCILER = ['fees.view', 'payments.reconcile']
const RUNS = '/api/v1/payments/reconciliation/runs/'
const JOB = '9a1c7a52-8d7e-4bb5-9d3c-2f1f0c7c9e11'

function run(over: Partial<ReconciliationRun> = {}): ReconciliationRun {
  return {
    id: 3,
    gateway: 'wechatpay',
    bill_date: '2026-11-30',
    status: 'done',
    bill_exists: true,
    provider_payments: 3,
    provider_paid_total: '301.50',
    provider_refunds: 0,
    provider_refund_total: '0.00',
    our_payments: 3,
    our_paid_total: '259.50',
    our_refunds: 0,
    our_refund_total: '0.00',
    item_count: 2,
    open_count: 2,
    healed_count: 1,
    error: '',
    job: null,
    started_at: '2026-12-01T10:00:00+08:00',
    finished_at: '2026-12-01T10:00:05+08:00',
    ...over,
  }
}

function item(over: Partial<ReconciliationItem> = {}): ReconciliationItem {
  return {
    id: 11,
    run: 3,
    kind: 'missing_here',
    entry: 'payment',
    out_trade_no: 'WSTRANGER0000000001',
    out_refund_no: '',
    order: null,
    provider_amount: '42.00',
    our_amount: null,
    provider_state: 'SUCCESS',
    our_state: '',
    evidence: {},
    resolved_by_name: '',
    resolved_at: null,
    note: '',
    ...over,
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('对账', () => {
  it('says honestly that there is nothing yet', async () => {
    fakeApi({ [`GET ${RUNS}`]: () => page([]) })
    await mountPage(ReconciliationPage, { path: '/fees/reconciliation', permissions: RECONCILER })
    expect($('reconciliation-page')?.textContent).toContain('还没有对账记录')
  })

  it('shows runs with their differences, and resolves one with a note', async () => {
    let current = item()
    const all = fakeApi({
      [`GET ${RUNS}`]: () =>
        page([
          run(),
          run({
            id: 4,
            bill_date: '2026-11-29',
            status: 'failed',
            error: '对账单获取或校验失败：BILL_HASH_MISMATCH',
          }),
        ]),
      [`GET ${RUNS}3/items/`]: () =>
        page([
          current,
          item({
            id: 12,
            kind: 'healed',
            out_trade_no: 'W20261130090000AAAAAAAAAAAA',
            our_amount: '120.50',
            provider_amount: '120.50',
            resolved_at: '2026-12-01T10:00:04+08:00',
            note: '渠道已支付、本地待支付：已按查询结果补记入账',
          }),
        ]),
      'POST /api/v1/payments/reconciliation/items/11/resolve/': (call) => {
        current = {
          ...current,
          note: String(bodyOf(call).note),
          resolved_at: '2026-12-01T11:00:00+08:00',
          resolved_by_name: '管理员',
        }
        return jsonResponse(current)
      },
    })
    await mountPage(ReconciliationPage, { path: '/fees/reconciliation', permissions: RECONCILER })
    expect($('reconciliation-status-3')?.textContent).toContain('已完成')
    expect($('reconciliation-open-3')?.textContent).toContain('2 条待处理')
    expect($('reconciliation-error-4')?.textContent).toContain('BILL_HASH_MISMATCH')
    expect($('reconciliation-view-4')).toBeNull() // a failed run has no differences to show

    await click('reconciliation-view-3')
    expect($('reconciliation-kind-11')?.textContent).toContain('渠道有、本系统无')
    expect($('reconciliation-items')?.textContent).toContain('¥42.00')
    expect($('reconciliation-resolution-12')?.textContent).toContain('已按查询结果补记入账')
    expect($('reconciliation-resolve-12')).toBeNull()

    await click('reconciliation-resolve-11')
    await click('resolve-dialog-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/payments/reconciliation/items/11/resolve/')).toHaveLength(0)
    await type('resolve-note', '微信支付确认为测试交易')
    await click('resolve-dialog-submit')
    await settle()
    const posted = calls(all, 'POST', '/api/v1/payments/reconciliation/items/11/resolve/')
    expect(posted.map(bodyOf)).toEqual([{ note: '微信支付确认为测试交易' }])
    await vi.waitFor(() =>
      expect($('reconciliation-resolution-11')?.textContent).toContain('管理员'),
    )
  })

  it('runs a chosen day and follows its job to the end', async () => {
    let listed = [run()]
    const all = fakeApi({
      [`GET ${RUNS}`]: () => page(listed),
      [`POST ${RUNS}`]: () => {
        listed = [run({ status: 'running', job: { id: JOB } as ReconciliationRun['job'] })]
        return jsonResponse(listed[0], 202)
      },
      [`GET /api/v1/jobs/${JOB}/`]: () => {
        listed = [run()]
        return jsonResponse({
          id: JOB,
          kind: 'payments.reconcile',
          status: 'succeeded',
          progress: 3,
          total: 3,
          message: '',
          result: {},
          created_at: '2026-12-01T10:00:00+08:00',
          started_at: '2026-12-01T10:00:00+08:00',
          finished_at: '2026-12-01T10:00:05+08:00',
        })
      },
    })
    await mountPage(ReconciliationPage, { path: '/fees/reconciliation', permissions: RECONCILER })
    await click('reconciliation-run')
    const posted = calls(all, 'POST', RUNS)
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0]!)).toMatchObject({ gateway: 'wechatpay' })
    expect(String(bodyOf(posted[0]!).bill_date)).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await vi.waitFor(() =>
      expect(calls(all, 'GET', `/api/v1/jobs/${JOB}/`).length).toBeGreaterThan(0),
    )
    await vi.waitFor(() => expect($('reconciliation-status-3')?.textContent).toContain('已完成'))
  })
})
