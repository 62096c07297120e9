import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  TREE,
  type,
} from '../../basic-data/__tests__/helpers'
import MeterReadingPage from '../MeterReadingPage.vue'
import { routeMeter } from './fixtures'

const READER = ['meters.read']

function backend(held: Set<number> = new Set()) {
  const route = [routeMeter(1, true), routeMeter(2), routeMeter(3), routeMeter(4, true)]
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/meter-route/': () =>
      jsonResponse({ cycle_start: '2026-03-01', next_meter: 2, read: 2, total: 4, meters: route }),
    'POST /api/v1/meter-readings/': (call) => {
      const body = bodyOf(call)
      const meter = Number(body.meter)
      const isHeld = held.has(meter)
      return jsonResponse(
        {
          id: 500 + meter,
          meter,
          meter_number: `W-${meter}`,
          meter_kind: 'water',
          house: meter,
          place: '',
          register: body.register ?? 'total',
          read_on: body.read_on,
          previous: '10.00',
          current: body.current,
          usage: '5.00',
          rolled_over: false,
          status: isHeld ? 'held' : 'ok',
          hold_reason: isHeld ? '用量为近 3 期平均的 5 倍' : '',
          source: 'staff',
          reader: 1,
          reader_name: '抄表员',
          created_at: '2026-03-05T08:00:00Z',
        },
        201,
      )
    },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('phone meter reading', () => {
  it('opens the route on its first unread meter and jumps to the next after a save', async () => {
    const all = backend()
    await mountPage(MeterReadingPage, { path: '/meter-reading?estate=1', permissions: READER })
    expect($('reading-meter')?.dataset.meter).toBe('2')
    expect($('reading-progress')?.textContent).toContain('2 / 4')

    await type('reading-input', '123.5')
    await click('reading-save')
    const posted = calls(all, 'POST', '/api/v1/meter-readings/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0]!)).toMatchObject({ meter: 2, current: '123.5' })
    expect($('reading-meter')?.dataset.meter).toBe('3')
    expect($('reading-progress')?.textContent).toContain('3 / 4')

    await type('reading-input', '88')
    await click('reading-save')
    // Every meter read: the page says so.
    expect($('reading-done')).not.toBeNull()
  })

  it('shows a held reading at once and moves on only when asked', async () => {
    backend(new Set([2]))
    await mountPage(MeterReadingPage, { path: '/meter-reading?estate=1', permissions: READER })
    await type('reading-input', '9999')
    await click('reading-save')
    expect($('reading-meter')?.dataset.meter).toBe('2')
    expect($('reading-held')?.textContent).toContain('5 倍')
    await click('reading-next-after-held')
    expect($('reading-meter')?.dataset.meter).toBe('3')
    expect($('reading-held')).toBeNull()
  })
})
