import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import DispatchRuleDialog from '../DispatchRuleDialog.vue'
import DispatchRulesPage from '../DispatchRulesPage.vue'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  settle,
  TREE,
} from '../../basic-data/__tests__/helpers'
import { CATEGORIES, WORKERS } from './fixtures'

const MANAGE = ['repairs.manage', 'repairs.dispatch']

const rule = (over: Record<string, unknown> = {}) => ({
  id: 1,
  category: 2,
  category_name: '水电 › 管道漏水',
  estate: 1,
  estate_name: '阳光花园',
  building: 3,
  building_name: '1栋',
  worker: 5,
  worker_name: '赵师傅',
  created_at: '2026-12-03T10:00:00+08:00',
  ...over,
})

function backend(rules = [rule()]) {
  let current = [...rules]
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
    'GET /api/v1/repair-workers/': () => jsonResponse(WORKERS),
    'GET /api/v1/repair-dispatch-rules/': () => jsonResponse(current),
    'POST /api/v1/repair-dispatch-rules/': (call) => {
      const body = bodyOf(call)
      if (body.worker === 6) {
        return jsonResponse(
          { code: 'invalid', message: '', fields: { worker: ['该师傅已停用。'] } },
          400,
        )
      }
      const created = rule({
        id: 2,
        ...body,
        estate_name: null,
        building_name: null,
        worker_name: '赵师傅',
      })
      current = [...current, created]
      return jsonResponse(created, 201)
    },
    'PATCH /api/v1/repair-dispatch-rules/1/': (call) => {
      current = [rule({ ...bodyOf(call), worker_name: '钱师傅' })]
      return jsonResponse(current[0])
    },
    'DELETE /api/v1/repair-dispatch-rules/1/': () => {
      current = []
      return new Response(null, { status: 204 })
    },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const open = () =>
  mountPage(DispatchRulesPage, {
    path: '/repairs/rules',
    permissions: MANAGE,
    modules: ['repairs'],
  })

describe('派单规则', () => {
  it('lists the rules with their scope', async () => {
    backend([
      rule(),
      rule({ id: 2, estate: null, estate_name: null, building: null, building_name: null }),
    ])
    await open()
    const table = $('rule-table')!.textContent!
    expect(table).toContain('水电 › 管道漏水')
    expect(table).toContain('1栋')
    expect(table).toContain('全部小区') // the company-wide one
  })

  it('says so when there are none', async () => {
    backend([])
    await open()
    expect($('rule-table')?.textContent).toContain('还没有派单规则')
  })

  it('creates a company-wide rule and shows a refused worker under its field', async () => {
    const all = backend([])
    const { wrapper } = await open()
    await click('rule-add')
    const dialog = wrapper.findComponent(DispatchRuleDialog)
    dialog.findComponent({ name: 'ElCascader' }).vm.$emit('update:modelValue', [1])
    const [, , worker] = dialog.findAllComponents({ name: 'ElSelect' })
    worker!.vm.$emit('update:modelValue', 6)
    await flushPromises()
    await click('rule-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/repair-dispatch-rules/')[0]!)).toEqual({
      category: 1,
      estate: null,
      building: null,
      worker: 6,
    })
    expect(fieldError('rule-worker')).toContain('该师傅已停用')

    worker!.vm.$emit('update:modelValue', 5)
    await flushPromises()
    await click('rule-dialog-submit')
    expect(calls(all, 'POST', '/api/v1/repair-dispatch-rules/')).toHaveLength(2)
    expect($('rule-2')).not.toBeNull()
  })

  it('edits a rule’s worker and deletes a rule', async () => {
    const all = backend()
    const { wrapper } = await open()
    await click('rule-edit-1')
    const dialog = wrapper.findComponent(DispatchRuleDialog)
    expect(dialog.findComponent({ name: 'ElCascader' }).props('modelValue')).toEqual([1, 2])
    dialog.findAllComponents({ name: 'ElSelect' })[2]!.vm.$emit('update:modelValue', 6)
    await flushPromises()
    await click('rule-dialog-submit')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/repair-dispatch-rules/1/')[0]!)).toEqual({
      category: 2,
      estate: 1,
      building: 3,
      worker: 6,
    })
    expect($('rule-table')?.textContent).toContain('钱师傅')

    await click('rule-remove-1')
    await click('rule-remove-1-confirm')
    expect(calls(all, 'DELETE', '/api/v1/repair-dispatch-rules/1/')).toHaveLength(1)
    expect($('rule-table')?.textContent).toContain('还没有派单规则')
  })
})
