import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import {
  $,
  $$,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  TREE,
  type,
} from '../../basic-data/__tests__/helpers'
import RepairOrderDrawer from '../RepairOrderDrawer.vue'
import RepairOrdersPage from '../RepairOrdersPage.vue'
import { CATEGORIES, detail, order, WORKERS } from './fixtures'

const DISPATCH = ['repairs.dispatch']

function backend(
  current = detail({ actions: ['dispatch', 'cancel'] }),
  extra: Parameters<typeof fakeApi>[0] = {},
) {
  let state = current
  const all = fakeApi({
    ...extra,
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
    'GET /api/v1/repair-workers/': () => jsonResponse(WORKERS),
    'GET /api/v1/repair-orders/': () =>
      page([
        order({ ...state, overdue: false }),
        order({
          id: 8,
          number: 'R20261203-0002',
          status: 'accepted',
          overdue: true,
          worker: 5,
          worker_name: '赵师傅',
        }),
      ]),
    [`GET /api/v1/repair-orders/${current.id}/`]: () => jsonResponse(state),
    [`POST /api/v1/repair-orders/${current.id}/dispatch/`]: (call) => {
      const worker = WORKERS.find((w) => w.id === bodyOf(call).worker)!
      state = detail({
        status: 'dispatched',
        worker: worker.id,
        worker_name: worker.name,
        actions: ['transfer', 'cancel'],
        timeline: [
          ...state.timeline,
          {
            id: 2,
            transition: 'dispatch',
            from_status: 'submitted',
            to_status: 'dispatched',
            actor_name: '王调度',
            worker_name: worker.name,
            note: String(bodyOf(call).note),
            at: '2026-12-03T10:05:00+08:00',
            photos: [],
          },
        ],
      })
      return jsonResponse(state)
    },
  })
  return all
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('报修工单', () => {
  it('lists orders with their status and marks the overdue ones', async () => {
    backend()
    await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    expect($('repair-R20261203-0001')?.textContent).toContain('R20261203-0001')
    expect($('status-7')?.textContent).toContain('待派单')
    expect($('overdue-8')?.textContent).toContain('已超时')
    expect($('overdue-7')).toBeNull()
  })

  it('sends the filters to the server', async () => {
    const all = backend()
    const { wrapper } = await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    wrapper
      .findComponent({ name: 'ElDatePicker' })
      .vm.$emit('update:modelValue', ['2026-12-01', '2026-12-03'])
    await flushPromises()
    const last = calls(all, 'GET', '/api/v1/repair-orders/').at(-1)!
    expect(queryOf(last)).toMatchObject({ created_from: '2026-12-01', created_to: '2026-12-03' })
  })

  it('opens an order, shows its timeline and dispatches it to the picked worker with a note', async () => {
    const all = backend()
    const { wrapper } = await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    await click('repair-R20261203-0001')
    expect($$('[data-testid="repair-step"]')).toHaveLength(1)
    expect($('repair-transfer')).toBeNull()
    expect($('repair-close')).toBeNull()
    const dispatch = $('repair-dispatch') as HTMLButtonElement
    expect(dispatch.disabled).toBe(true) // no worker picked yet

    const drawer = wrapper.findComponent(RepairOrderDrawer)
    drawer.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 6)
    const note = $('repair-note') as HTMLInputElement
    note.value = '先联系业主'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    await click('repair-dispatch')

    const posted = calls(all, 'POST', '/api/v1/repair-orders/7/dispatch/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0]!)).toEqual({ worker: 6, note: '先联系业主' })
    expect($('detail-status')?.textContent).toContain('已派单')
    expect($('detail-worker')?.textContent).toContain('钱师傅')
    expect($$('[data-testid="repair-step"]')).toHaveLength(2)
    expect($('step-dispatch')?.textContent).toContain('派单')
    expect($('repair-transfer')).not.toBeNull() // now offered: the server's actions say so
  })

  it('shows the worker picker with each worker’s open orders', async () => {
    backend()
    const { wrapper } = await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    await click('repair-R20261203-0001')
    const select = wrapper.findComponent(RepairOrderDrawer).findComponent({ name: 'ElSelect' })
    const labels = select.findAllComponents({ name: 'ElOption' }).map((o) => o.props('label'))
    expect(labels).toEqual(['赵师傅（在办 2 单）', '钱师傅（在办 0 单）'])
  })

  it('shows a completed order’s materials, fee and whether its charge is paid', async () => {
    backend(
      detail({
        status: 'completed',
        worker: 5,
        worker_name: '赵师傅',
        materials: '水龙头一个',
        fee: '35.50',
        charge: {
          charge_id: 91,
          amount: '35.50',
          paid: '35.50',
          outstanding: '0.00',
          due_date: '2026-12-10',
          status: 'paid',
        },
      }),
    )
    await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    await click('repair-R20261203-0001')
    expect($('detail-materials')?.textContent).toContain('水龙头一个')
    expect($('detail-fee')?.textContent).toContain('35.50')
    expect($('detail-charge')?.textContent).toContain('已缴清')
    expect($('detail-no-charge')).toBeNull()
    expect($('fee-correct')).toBeNull() // paid: a correction is a refund, in billing
  })

  it('corrects an unpaid fee, and keeps a bad amount or a refusal on the form', async () => {
    const unpaid = detail({
      status: 'completed',
      worker: 5,
      worker_name: '赵师傅',
      fee: '35.50',
      charge: {
        charge_id: 91,
        amount: '35.50',
        paid: '0.00',
        outstanding: '35.50',
        due_date: '2026-12-10',
        status: 'unpaid',
      },
    })
    let refuse = true
    const all = backend(unpaid, {
      [`POST /api/v1/repair-orders/${unpaid.id}/fee/`]: (call) => {
        if (refuse) {
          refuse = false
          return jsonResponse(
            { code: 'conflict', message: '维修费已有缴款，请在收费管理中退款。', fields: {} },
            409,
          )
        }
        const fee = `${String(bodyOf(call).fee)}.00`
        return jsonResponse({
          ...unpaid,
          fee,
          charge: { ...unpaid.charge!, amount: fee, outstanding: fee },
        })
      },
    })
    await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    await click('repair-R20261203-0001')
    await click('fee-correct')
    await type('fee-amount', '3.456')
    await click('fee-save')
    expect($('fee-error')?.textContent).toContain('最多两位小数')
    expect(calls(all, 'POST', `/api/v1/repair-orders/${unpaid.id}/fee/`)).toHaveLength(0)

    await type('fee-amount', '30')
    await type('fee-note', '少算了材料')
    await click('fee-save')
    await flushPromises()
    expect($('fee-error')?.textContent).toContain('请在收费管理中退款')
    await click('fee-save')
    await flushPromises()
    expect(bodyOf(calls(all, 'POST', `/api/v1/repair-orders/${unpaid.id}/fee/`)[1]!)).toEqual({
      fee: '30',
      note: '少算了材料',
    })
    expect($('fee-form')).toBeNull()
    expect($('detail-fee')?.textContent).toContain('30.00')
  })

  it('says a public-area order’s fee is charged to no one', async () => {
    backend(
      detail({
        status: 'completed',
        worker: 5,
        house: null,
        house_label: null,
        location: '小区大门',
        fee: '80.00',
      }),
    )
    await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: DISPATCH,
      modules: ['repairs'],
    })
    await click('repair-R20261203-0001')
    expect($('detail-fee')?.textContent).toContain('80.00')
    expect($('detail-charge')).toBeNull()
    expect($('detail-no-charge')?.textContent).toContain('不向业主收费')
  })
})
