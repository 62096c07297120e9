import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  calls,
  click,
  fakeApi,
  mountPage,
  settle,
} from '@/pages/company/basic-data/__tests__/helpers'
import NotificationFailuresPage from '@/pages/company/settings/NotificationFailuresPage.vue'
import { jsonResponse } from '@/test/http'

const ADMIN = ['settings.manage', 'notifications.deliveries']
const PATH = '/settings/notification-failures'
const DEAD = {
  id: 41,
  event: 'bill.issued',
  notification: 9,
  recipient: 3,
  recipient_name: '业主甲',
  channel: 'sms',
  address: '136****0001',
  status: 'dead',
  attempts: 6,
  round: 0,
  not_before: null,
  reason: 'FailedOperation.InsufficientBalanceInSmsPackage: 套餐包余量不足',
  provider_id: '',
  created_at: '2026-12-02T01:00:00Z',
  updated_at: '2026-12-02T01:05:00Z',
  sent_at: null,
}
const page = (results: unknown[]) =>
  jsonResponse({ count: results.length, next: null, previous: null, results })

afterEach(() => vi.unstubAllGlobals())

describe('NotificationFailuresPage', () => {
  it('lists what did not go out with its reason, and sends one again', async () => {
    let failures: unknown[] = [DEAD]
    const all = fakeApi({
      'GET /api/v1/notification-deliveries/failures/': () => page(failures),
      'POST /api/v1/notification-deliveries/41/retry/': () => {
        failures = []
        return jsonResponse({ ...DEAD, status: 'queued', attempts: 0, round: 1, reason: '' })
      },
    })
    await mountPage(NotificationFailuresPage, { path: PATH, permissions: ADMIN })
    await settle()
    const table = $('notification-failures')?.textContent ?? ''
    expect(table).toContain('业主甲')
    expect(table).toContain('136****0001')
    expect(table).toContain('套餐包余量不足')
    expect($('failure-status-41')?.textContent).toContain('已放弃')
    await click('failure-retry-41')
    await settle()
    expect(calls(all, 'POST', '/api/v1/notification-deliveries/41/retry/')).toHaveLength(1)
    expect(calls(all, 'GET', '/api/v1/notification-deliveries/failures/')).toHaveLength(2)
    expect($('failure-retry-41')).toBeNull()
    expect($('notification-failures')?.textContent).toContain('没有发送失败的通知')
  })
})
