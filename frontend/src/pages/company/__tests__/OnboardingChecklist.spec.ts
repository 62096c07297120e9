import { afterEach, describe, expect, it } from 'vitest'

import type { Onboarding } from '@/api/onboarding'
import { $, calls, click, fakeApi, mountPage } from '@/pages/company/basic-data/__tests__/helpers'
import DashboardPage from '@/pages/company/DashboardPage.vue'
import OnboardingChecklist from '@/pages/company/OnboardingChecklist.vue'
import { jsonResponse } from '@/test/http'

const KEYS = ['estate', 'houses', 'residents', 'fee_items', 'first_bills', 'owners'] as const
const ADMIN = [
  'dashboard.view',
  'basic_data.view',
  'basic_data.manage',
  'fees.view',
  'fees.manage',
  'analytics.view',
]

function answer(done: number, hidden = false): Onboarding {
  return { steps: KEYS.map((key, i) => ({ key, done: i < done })), hidden }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('OnboardingChecklist (开始使用)', () => {
  it('lists the six steps, ticks what the server says is done, and links each to its page', async () => {
    fakeApi({ 'GET /api/v1/onboarding/': () => jsonResponse(answer(3)) })
    await mountPage(OnboardingChecklist, {
      path: '/',
      permissions: ADMIN,
      modules: ['basic_data', 'fees'],
    })
    expect($('onboarding')?.textContent).toContain('开始使用')
    expect($('onboarding-progress')?.textContent).toContain('3/6')
    expect(KEYS.map((key) => $(`onboarding-step-${key}`)?.dataset.done)).toEqual([
      'true',
      'true',
      'true',
      'false',
      'false',
      'false',
    ])
    const hrefs = Object.fromEntries(
      KEYS.map((key) => [key, $(`onboarding-link-${key}`)?.getAttribute('href')]),
    )
    expect(hrefs).toEqual({
      estate: '/basic-data/estates',
      houses: '/basic-data/estates', // where buildings and their houses are made
      residents: '/basic-data/residents',
      fee_items: '/fees/items',
      first_bills: '/fees/bill-runs',
      owners: '/basic-data/bindings',
    })
    expect($('onboarding-import-houses')?.getAttribute('href')).toBe('/basic-data/imports')
  })

  it('links only to pages this user may open: a cashier sees fee steps unlinked', async () => {
    fakeApi({ 'GET /api/v1/onboarding/': () => jsonResponse(answer(0)) })
    await mountPage(OnboardingChecklist, {
      path: '/',
      permissions: ['dashboard.view', 'basic_data.view', 'fees.view', 'fees.collect'],
      modules: ['basic_data', 'fees'],
    })
    expect($('onboarding-link-estate')).not.toBeNull()
    expect($('onboarding-link-fee_items')).toBeNull() // fees.manage only
    expect($('onboarding-link-first_bills')).toBeNull()
    expect($('onboarding-step-fee_items')?.textContent).toContain('设置收费项目')
    expect($('onboarding-import-houses')).toBeNull() // imports need basic_data.manage
  })

  it('shows no link at all to a user without the modules', async () => {
    fakeApi({ 'GET /api/v1/onboarding/': () => jsonResponse(answer(6)) })
    await mountPage(OnboardingChecklist, {
      path: '/',
      permissions: ['dashboard.view', 'repairs.dispatch'],
      modules: [],
    })
    expect(document.querySelectorAll('[data-testid^="onboarding-link-"]')).toHaveLength(0)
    expect($('onboarding-progress')?.textContent).toContain('6/6') // all ticked stays until hidden
  })

  it('hides on 隐藏 and comes back with the show link', async () => {
    const all = fakeApi({
      'GET /api/v1/onboarding/': () => jsonResponse(answer(2)),
      'POST /api/v1/onboarding/hide/': () => jsonResponse(answer(2, true)),
      'POST /api/v1/onboarding/show/': () => jsonResponse(answer(2)),
    })
    await mountPage(OnboardingChecklist, { path: '/', permissions: ADMIN })
    await click('onboarding-hide')
    expect(calls(all, 'POST', '/api/v1/onboarding/hide/')).toHaveLength(1)
    expect($('onboarding')).toBeNull()
    await click('onboarding-show')
    expect(calls(all, 'POST', '/api/v1/onboarding/show/')).toHaveLength(1)
    expect($('onboarding')).not.toBeNull()
  })

  it('stays hidden on the next visit when the user hid it', async () => {
    fakeApi({ 'GET /api/v1/onboarding/': () => jsonResponse(answer(1, true)) })
    await mountPage(OnboardingChecklist, { path: '/', permissions: ADMIN })
    expect($('onboarding')).toBeNull()
    expect($('onboarding-show')).not.toBeNull()
  })

  it('is not asked for without dashboard.view, and a failed request leaves the dashboard whole', async () => {
    const all = fakeApi({})
    await mountPage(DashboardPage, { path: '/', permissions: [], modules: [] })
    expect(calls(all, 'GET', '/api/v1/onboarding/')).toHaveLength(0)
    expect($('onboarding')).toBeNull()
    await mountPage(DashboardPage, { path: '/', permissions: ['dashboard.view'], modules: [] })
    expect(calls(all, 'GET', '/api/v1/onboarding/')).toHaveLength(1) // answered 599 by the fake
    expect($('dashboard')).not.toBeNull()
    expect($('onboarding')).toBeNull()
  })
})
