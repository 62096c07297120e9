import { describe, expect, it } from 'vitest'

import type { MeterReading } from '@/api/fees'

import { routeMeter } from './fixtures'

import {
  neighbourId,
  nextUnreadId,
  placeOf,
  progressOf,
  validReading,
  withReading,
} from '../readingRoute'

const reading = (meter: number, over: Partial<MeterReading> = {}): MeterReading => ({
  id: 900 + meter,
  meter,
  meter_number: `W-${meter}`,
  meter_kind: 'water',
  house: meter,
  place: '',
  register: 'total',
  read_on: '2026-03-05',
  previous: '10.00',
  current: '15.00',
  usage: '5.00',
  rolled_over: false,
  status: 'ok',
  hold_reason: '',
  source: 'staff',
  reader: 1,
  reader_name: '抄表员',
  created_at: '2026-03-05T08:00:00Z',
  ...over,
})

describe('the reader walks the route', () => {
  const route = [
    routeMeter(1, true),
    routeMeter(2),
    routeMeter(3, true),
    routeMeter(4),
    routeMeter(5),
  ]

  it('goes to the next unread meter in walking order', () => {
    expect(nextUnreadId(route, null)).toBe(2)
    expect(nextUnreadId(route, 2)).toBe(4)
    expect(nextUnreadId(route, 4)).toBe(5)
  })

  it('comes back round to a skipped meter, never to the one just read', () => {
    expect(nextUnreadId(route, 5)).toBe(2)
    const last = [routeMeter(1, true), routeMeter(2)]
    expect(nextUnreadId(last, 2)).toBeNull()
    expect(nextUnreadId([], null)).toBeNull()
    expect(
      nextUnreadId(
        route.map((m) => ({ ...m, read_this_cycle: true })),
        1,
      ),
    ).toBeNull()
  })

  it('marks the meter read with the saved reading as its last', () => {
    const next = withReading(route, reading(2))
    expect(next[1]).toMatchObject({
      read_this_cycle: true,
      last_reading: { id: 902, current: '15.00', status: 'ok' },
    })
    expect(next[0]).toBe(route[0])
    expect(progressOf(next)).toEqual({ read: 3, total: 5 })
    expect(nextUnreadId(next, 2)).toBe(4)
  })

  it('counts a held reading as read (it waits for review) and ignores peak/valley for progress', () => {
    const held = withReading(route, reading(4, { status: 'held', hold_reason: '用量突增' }))
    expect(held[3]).toMatchObject({ read_this_cycle: true, last_reading: { status: 'held' } })
    const peak = withReading(route, reading(2, { register: 'peak' }))
    expect(peak[1]!.read_this_cycle).toBe(false)
  })

  it('steps to neighbours and checks the dial', () => {
    expect(neighbourId(route, 1, -1)).toBeNull()
    expect(neighbourId(route, 1, 1)).toBe(2)
    expect(neighbourId(route, 5, 1)).toBeNull()
    expect(validReading('123.45')).toBe(true)
    expect(validReading(' 8 ')).toBe(true)
    expect(validReading('1.234')).toBe(false)
    expect(validReading('-1')).toBe(false)
    expect(placeOf(routeMeter(9, false, { house_label: '', building_name: '2栋' }))).toBe(
      '阳光花园 2栋',
    )
  })
})
