import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import { $, bodyOf, calls, click, fakeApi, mountPage, page } from '../../basic-data/__tests__/helpers'
import RepairWorkPage from '../RepairWorkPage.vue'
import { detail, order } from './fixtures'

const WORK = ['repairs.work']
const ME = 1 // the signed-in user of mountPage

function backend() {
  const orders = new Map([
    [7, order({ id: 7, number: 'R-7', status: 'dispatched', worker: ME, actions: ['accept', 'return'] })],
    [8, order({ id: 8, number: 'R-8', status: 'submitted', actions: ['grab'] })],
    [9, order({ id: 9, number: 'R-9', status: 'closed', worker: ME, rating: 5 })],
  ])
  const next: Record<string, [string, string[]]> = {
    accept: ['accepted', ['start', 'return']],
    start: ['in_progress', ['complete']],
    complete: ['completed', []],
  }
  const routes: Record<string, Parameters<typeof fakeApi>[0][string]> = {
    'GET /api/v1/repair-work/': () => page([...orders.values()]),
    'GET /api/v1/repair-work/7/contact/': () => jsonResponse({ name: '张三', phone: '13812345678' }),
    'GET /api/v1/repair-work/7/': () => jsonResponse(detail({ ...orders.get(7) })),
  }
  for (const move of Object.keys(next)) {
    routes[`POST /api/v1/repair-work/7/${move}/`] = () => {
      const [status, actions] = next[move]!
      orders.set(7, { ...orders.get(7)!, status: status as never, actions })
      return jsonResponse(detail({ ...orders.get(7) }))
    }
  }
  return fakeApi(routes)
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('我的工单 (the worker’s phone page)', () => {
  it('sorts orders into to accept, in progress, done and up for grabs', async () => {
    backend()
    await mountPage(RepairWorkPage, { path: '/repairs/work', permissions: WORK, modules: ['repairs'] })
    expect($('stage-toAccept')?.textContent).toContain('1')
    expect($('work-R-7')).not.toBeNull()
    expect($('work-R-8')).toBeNull()
    await click('stage-grabbable')
    expect($('work-R-8')?.querySelector('[data-testid="work-grab"]')).not.toBeNull()
    await click('stage-done')
    expect($('work-R-9')).not.toBeNull()
    expect($('work-R-9')?.querySelector('button')).toBeNull() // nothing left to do on a closed one
  })

  it('accepts, starts and completes with a note, one step at a time', async () => {
    const all = backend()
    await mountPage(RepairWorkPage, { path: '/repairs/work', permissions: WORK, modules: ['repairs'] })
    await click('work-accept')
    expect(calls(all, 'POST', '/api/v1/repair-work/7/accept/')).toHaveLength(1)
    expect($('work-R-7')?.textContent).toContain('已接单') // moved to 进行中, shown there
    await click('work-start')
    expect($('work-R-7')?.textContent).toContain('维修中')
    await click('work-complete')
    const note = $('complete-note') as HTMLTextAreaElement
    note.value = '更换了角阀'
    note.dispatchEvent(new Event('input'))
    await click('complete-submit')
    const completed = calls(all, 'POST', '/api/v1/repair-work/7/complete/')
    expect(completed).toHaveLength(1)
    expect(bodyOf(completed[0]!)).toEqual({ note: '更换了角阀' })
    expect($('work-R-7')?.textContent).toContain('已完工') // on 已完成 now
  })

  it('completes with the materials used and the fee', async () => {
    const all = backend()
    await mountPage(RepairWorkPage, { path: '/repairs/work', permissions: WORK, modules: ['repairs'] })
    await click('work-accept')
    await click('work-start')
    await click('work-complete')
    for (const [id, value] of [
      ['complete-materials', ' 角阀一个 '],
      ['complete-fee', '35.50'],
    ] as const) {
      const input = $(id) as HTMLInputElement
      input.value = value
      input.dispatchEvent(new Event('input'))
    }
    await click('complete-submit')
    const completed = calls(all, 'POST', '/api/v1/repair-work/7/complete/')
    expect(bodyOf(completed[0]!)).toEqual({ note: '', materials: '角阀一个', fee: '35.50' })
  })

  it('reveals the owner’s phone as a tel: link only when asked', async () => {
    const all = backend()
    await mountPage(RepairWorkPage, { path: '/repairs/work', permissions: WORK, modules: ['repairs'] })
    expect($('work-tel')).toBeNull()
    expect(calls(all, 'GET', '/api/v1/repair-work/7/contact/')).toHaveLength(0)
    await click('work-call')
    expect($('work-tel')?.getAttribute('href')).toBe('tel:13812345678')
  })
})

describe('/repairs', () => {
  it('takes a worker to their phone page and a dispatcher to the list', async () => {
    backend()
    const worker = await mountPage(RepairWorkPage, { path: '/repairs', permissions: WORK, modules: ['repairs'] })
    expect(worker.router.currentRoute.value.name).toBe('repairs-work')
    document.body.innerHTML = ''
    const dispatcher = await mountPage(RepairWorkPage, {
      path: '/repairs',
      permissions: ['repairs.dispatch', 'repairs.work'],
      modules: ['repairs'],
    })
    expect(dispatcher.router.currentRoute.value.name).toBe('repairs-orders')
  })
})
