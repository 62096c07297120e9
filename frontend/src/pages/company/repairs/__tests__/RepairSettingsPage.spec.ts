import { flushPromises } from '@vue/test-utils'
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

type Settings = {
  reopen_days: number
  sla_warning_percent: number
  auto_close_days: number
  fee_item: number | null
  fee_item_name: string | null
}

const ITEMS = [
  { id: 3, name: '维修费' },
  { id: 4, name: '上门服务费' },
]

function backend(
  items = ITEMS,
  feeItem: Pick<Settings, 'fee_item' | 'fee_item_name'> = {
    fee_item: null,
    fee_item_name: null,
  },
) {
  let settings: Settings = {
    reopen_days: 7,
    sla_warning_percent: 80,
    auto_close_days: 7,
    ...feeItem,
  }
  return fakeApi({
    'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
    'GET /api/v1/service-fee-items/': () => jsonResponse(items),
    'GET /api/v1/repair-settings/': () => jsonResponse(settings),
    'PATCH /api/v1/repair-settings/': (call) => {
      const body = bodyOf(call) as Settings
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
      const named = items.find((item) => item.id === body.fee_item)
      settings = { ...body, fee_item_name: named?.name ?? null }
      return jsonResponse(settings)
    },
  })
}

const feeSelect = (wrapper: Awaited<ReturnType<typeof open>>['wrapper']) =>
  wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find((s) => s.attributes('data-testid') === 'settings-fee_item')!

const open = (permissions = ['repairs.manage']) =>
  mountPage(RepairSettingsPage, {
    path: '/repairs/settings',
    permissions,
    modules: permissions.includes('fees.manage') ? ['repairs', 'fees'] : ['repairs'],
  })

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
    await open()
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
      fee_item: null,
    })
  })

  it('charges paid repairs under the fee item chosen, and can stop charging', async () => {
    const all = backend()
    const { wrapper } = await open()
    const select = feeSelect(wrapper)
    select.vm.$emit('update:modelValue', 4)
    await flushPromises()
    await click('settings-save')
    await settle()
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/repair-settings/')[0]!)).toMatchObject({
      fee_item: 4,
    })
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/repair-settings/')[0]!)).not.toHaveProperty(
      'fee_item_name',
    )
    select.vm.$emit('update:modelValue', undefined) // cleared
    await flushPromises()
    await click('settings-save')
    await settle()
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/repair-settings/')[1]!)).toMatchObject({
      fee_item: null,
    })
  })

  it('keeps showing an item in use that has since been deactivated', async () => {
    backend([ITEMS[0]!], { fee_item: 9, fee_item_name: '旧维修费' })
    const { wrapper } = await open()
    const select = feeSelect(wrapper)
    const labels = select.findAllComponents({ name: 'ElOption' }).map((o) => o.props('label'))
    expect(labels).toEqual(['维修费', '旧维修费'])
  })

  it('says when there is no one-off item, with a way to add one for those who may', async () => {
    backend([])
    await open(['repairs.manage', 'fees.manage'])
    expect($('repair-settings-form')!.textContent).toContain('还没有可用的一次性收费项目')
    expect($('settings-fee-items-link')).not.toBeNull()
  })

  it('offers no link to the fee items page to one who may not open it', async () => {
    backend([])
    await open()
    expect($('repair-settings-form')!.textContent).toContain('还没有可用的一次性收费项目')
    expect($('settings-fee-items-link')).toBeNull()
  })

  it('shows the server’s refusal under its field', async () => {
    backend()
    await open()
    await setNumber('settings-auto_close_days', 60)
    await click('settings-save')
    await settle()
    expect(fieldError('settings-auto_close_days')).toContain('1 到 90')
  })
})
