import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
} from '../../basic-data/__tests__/helpers'
import RepairWorkPage from '../RepairWorkPage.vue'
import { detail, jpeg, order, photo, pickPhotos } from './fixtures'

const WORK = ['repairs.work']
const ME = 1 // the signed-in user of mountPage

let uploaded = 0
function backend() {
  uploaded = 0
  const orders = new Map([
    [
      7,
      order({
        id: 7,
        number: 'R-7',
        status: 'dispatched',
        worker: ME,
        actions: ['accept', 'return'],
      }),
    ],
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
    'GET /api/v1/repair-work/7/contact/': () =>
      jsonResponse({ name: '张三', phone: '13812345678' }),
    'GET /api/v1/repair-work/7/': () => jsonResponse(detail({ ...orders.get(7) })),
    'POST /api/v1/repair-photos/': () => {
      uploaded += 1
      return jsonResponse(photo(100 + uploaded), 201)
    },
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

/** The worker's page with R-7 accepted and its start dialog open. */
async function startDialog() {
  const all = backend()
  await mountPage(RepairWorkPage, {
    path: '/repairs/work',
    permissions: WORK,
    modules: ['repairs'],
  })
  await click('work-accept')
  await click('work-start')
  return all
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('我的工单 (the worker’s phone page)', () => {
  it('sorts orders into to accept, in progress, done and up for grabs', async () => {
    backend()
    await mountPage(RepairWorkPage, {
      path: '/repairs/work',
      permissions: WORK,
      modules: ['repairs'],
    })
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
    await mountPage(RepairWorkPage, {
      path: '/repairs/work',
      permissions: WORK,
      modules: ['repairs'],
    })
    await click('work-accept')
    expect(calls(all, 'POST', '/api/v1/repair-work/7/accept/')).toHaveLength(1)
    expect($('work-R-7')?.textContent).toContain('已接单') // moved to 进行中, shown there
    await click('work-start')
    expect(calls(all, 'POST', '/api/v1/repair-work/7/start/')).toHaveLength(0) // asks for photos first
    await click('step-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/repair-work/7/start/')[0]!)).toEqual({
      note: '',
      photos: [],
    })
    expect($('work-R-7')?.textContent).toContain('维修中')
    await click('work-complete')
    const note = $('step-note') as HTMLTextAreaElement
    note.value = '更换了角阀'
    note.dispatchEvent(new Event('input'))
    await click('step-submit')
    const completed = calls(all, 'POST', '/api/v1/repair-work/7/complete/')
    expect(completed).toHaveLength(1)
    expect(bodyOf(completed[0]!)).toEqual({ note: '更换了角阀', photos: [] })
    expect($('work-R-7')?.textContent).toContain('已完工') // on 已完成 now
  })

  it('starts with the problem’s photos and completes with the result’s, a removed one left out', async () => {
    const all = await startDialog()
    expect($('step-dialog')?.textContent).toContain('现场照片')
    await pickPhotos('step-photos-input', [jpeg('a.jpg'), jpeg('b.jpg')])
    expect(calls(all, 'POST', '/api/v1/repair-photos/')).toHaveLength(2)
    expect(document.querySelectorAll('[data-testid="step-photos-photo"]')).toHaveLength(2)
    await click('step-photos-remove-101')
    await click('step-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/repair-work/7/start/')[0]!)).toEqual({
      note: '',
      photos: [102],
    })

    await click('work-complete')
    expect($('step-dialog')?.textContent).toContain('完工照片')
    expect(document.querySelectorAll('[data-testid="step-photos-photo"]')).toHaveLength(0) // a fresh step
    await pickPhotos('step-photos-input', [jpeg('c.jpg')])
    await click('step-submit')
    expect(bodyOf(calls(all, 'POST', '/api/v1/repair-work/7/complete/')[0]!)).toEqual({
      note: '',
      photos: [103],
    })
  })

  it('refuses a GIF and more than 9 photos without uploading them', async () => {
    const all = await startDialog()
    await pickPhotos('step-photos-input', [new File(['x'], 'x.gif', { type: 'image/gif' })])
    expect(calls(all, 'POST', '/api/v1/repair-photos/')).toHaveLength(0)
    expect($('step-photos-error')?.textContent).toContain('x.gif')
    await pickPhotos(
      'step-photos-input',
      Array.from({ length: 10 }, (_, i) => jpeg(`${i}.jpg`)),
    )
    expect(calls(all, 'POST', '/api/v1/repair-photos/')).toHaveLength(9)
    expect($('step-photos-error')?.textContent).toContain('最多上传 9 张')
    expect($('step-photos-add')).toBeNull()
  })

  it('completes with the materials used and the fee', async () => {
    const all = await startDialog()
    await click('step-submit')
    await click('work-complete')
    for (const [id, value] of [
      ['complete-materials', ' 角阀一个 '],
      ['complete-fee', '35.50'],
    ] as const) {
      const input = $(id) as HTMLInputElement
      input.value = value
      input.dispatchEvent(new Event('input'))
    }
    await click('step-submit')
    const completed = calls(all, 'POST', '/api/v1/repair-work/7/complete/')
    expect(bodyOf(completed[0]!)).toEqual({
      note: '',
      photos: [],
      materials: '角阀一个',
      fee: '35.50',
    })
  })

  it('reveals the owner’s phone as a tel: link only when asked', async () => {
    const all = backend()
    await mountPage(RepairWorkPage, {
      path: '/repairs/work',
      permissions: WORK,
      modules: ['repairs'],
    })
    expect($('work-tel')).toBeNull()
    expect(calls(all, 'GET', '/api/v1/repair-work/7/contact/')).toHaveLength(0)
    await click('work-call')
    expect($('work-tel')?.getAttribute('href')).toBe('tel:13812345678')
  })
})

describe('/repairs', () => {
  it('takes a worker to their phone page and a dispatcher to the list', async () => {
    backend()
    const worker = await mountPage(RepairWorkPage, {
      path: '/repairs',
      permissions: WORK,
      modules: ['repairs'],
    })
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
