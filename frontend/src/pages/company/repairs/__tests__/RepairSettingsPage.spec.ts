import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import RepairSettingsPage from '../RepairSettingsPage.vue'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  settle,
} from '../../basic-data/__tests__/helpers'
import { CATEGORIES } from './fixtures'

function backend() {
  let settings = { reopen_days: 7, sla_warning_percent: 80, auto_close_days: 7 }
  return fakeApi({
    'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
    'GET /api/v1/repair-settings/': () => jsonResponse(settings),
    'PATCH /api/v1/repair-settings/': (call) => {
      const body = bodyOf(call) as typeof settings
      if (body.auto_close_days > 30) {
        return jsonResponse(
          {
            code: 'invalid',
            message: '',
            fields: { auto_close_days: ['自动关闭天数应在 1 到 90 之间。'] },
          },
          400,
        )
      }
      settings = body
      return jsonResponse(settings)
    },
  })
}

async function setNumber(testid: string, value: number) {
  const input = $(testid)!.querySelector('input')!
  input.value = String(value)
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await settle()
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('报修设置', () => {
  it('shows the SLA warning, auto-close and reopen days and saves them together', async () => {
    const all = backend()
    await mountPage(RepairSettingsPage, {
      path: '/repairs/settings',
      permissions: ['repairs.manage'],
      modules: ['repairs'],
    })
    expect(
      ($('settings-sla_warning_percent')!.querySelector('input') as HTMLInputElement).value,
    ).toBe('80')
    expect($('category-管道漏水')).not.toBeNull() // the categories (with their hours per urgency) above
    await setNumber('settings-sla_warning_percent', 75)
    await setNumber('settings-auto_close_days', 5)
    await click('settings-save')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/repair-settings/')[0]!)).toEqual({
      reopen_days: 7,
      sla_warning_percent: 75,
      auto_close_days: 5,
    })
  })

  it('shows the server’s refusal under its field', async () => {
    backend()
    await mountPage(RepairSettingsPage, {
      path: '/repairs/settings',
      permissions: ['repairs.manage'],
      modules: ['repairs'],
    })
    await setNumber('settings-auto_close_days', 60)
    await click('settings-save')
    await settle()
    expect(fieldError('settings-auto_close_days')).toContain('1 到 90')
  })
})
