import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Today } from '@/api/staff'
import ClockPage from '@/pages/company/ClockPage.vue'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
} from '@/pages/company/basic-data/__tests__/helpers'
import { jsonResponse } from '@/test/http'

const CLOCK = ['staff.clock']

function today(over: Partial<Today> = {}): Today {
  return {
    date: '2026-11-23',
    server_time: '2026-11-23T00:55:00Z',
    profile: {
      id: 7,
      employee_no: 'WY0005',
      name: '孙保安',
      department_name: '秩序部',
      post_name: '秩序维护员',
      on_duty: false,
      active: true,
    },
    shift: {
      id: 1,
      name: '常白班',
      start_time: '09:00',
      end_time: '18:00',
      crosses_midnight: false,
    },
    record: null,
    can_clock_in: true,
    can_clock_out: true,
    ...over,
  }
}

const clockedIn = today({
  profile: { ...today().profile!, on_duty: true },
  record: {
    id: 1,
    work_date: '2026-11-23',
    clock_in_at: '2026-11-23T01:06:00Z',
    clock_out_at: null,
    late_minutes: 6,
    early_leave_minutes: 0,
    missing_clock_in: false,
  },
  can_clock_in: false,
})

function backend(over: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/attendance/today/': () => jsonResponse(today()),
    'GET /api/v1/attendance/mine/': () => jsonResponse([]),
    'POST /api/v1/attendance/clock-in/': () => jsonResponse(clockedIn, 201),
    ...over,
  })
}

function stubGeolocation(
  coords: { latitude: number; longitude: number; accuracy: number } | 'denied',
) {
  const getCurrentPosition = vi.fn((ok: PositionCallback, fail: PositionErrorCallback) => {
    if (coords === 'denied') fail({ code: 1, message: 'denied' } as GeolocationPositionError)
    else ok({ coords, timestamp: Date.now() } as unknown as GeolocationPosition)
  })
  vi.stubGlobal('navigator', { ...navigator, geolocation: { getCurrentPosition } })
  return getCurrentPosition
}

afterEach(() => vi.unstubAllGlobals())

describe('ClockPage', () => {
  it("shows today's shift and clocks in with the phone's position", async () => {
    const all = backend()
    const geo = stubGeolocation({ latitude: 30.2741, longitude: 120.1551, accuracy: 15.4 })
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })

    expect($('clock-who')?.textContent).toContain('孙保安')
    expect($('clock-shift')?.textContent).toContain('常白班 09:00–18:00')
    expect($('clock-in-time')?.textContent).toBe('—')
    expect(($('clock-in') as HTMLButtonElement).disabled).toBe(false)

    await click('clock-in')
    expect(geo).toHaveBeenCalledOnce()
    const posted = calls(all, 'POST', '/api/v1/attendance/clock-in/')
    expect(posted).toHaveLength(1)
    // Only where the phone is: the time is the server's.
    expect(bodyOf(posted[0])).toEqual({
      latitude: '30.2741',
      longitude: '120.1551',
      accuracy: '15.4',
    })
    expect($('clock-in-time')?.textContent).toBe('09:06')
    expect($('clock-status')?.textContent).toContain('迟到 6 分钟')
    expect(($('clock-in') as HTMLButtonElement).disabled).toBe(true)
    expect($('clock-position')?.textContent).toContain('误差约 15 米')
  })

  it('clocks without a position when the user refuses to share it', async () => {
    const all = backend()
    stubGeolocation('denied')
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })
    await click('clock-in')
    expect(bodyOf(calls(all, 'POST', '/api/v1/attendance/clock-in/')[0])).toEqual({})
    expect($('clock-position')?.textContent).toContain('未能获取位置')
  })

  it('clocks on a browser with no geolocation at all', async () => {
    vi.stubGlobal('navigator', { ...navigator, geolocation: undefined })
    const all = backend()
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })
    await click('clock-in')
    expect(bodyOf(calls(all, 'POST', '/api/v1/attendance/clock-in/')[0])).toEqual({})
  })

  it("shows the server's refusal of a second clock-in and what it has now", async () => {
    let state = today()
    const all = backend({
      'GET /api/v1/attendance/today/': () => jsonResponse(state),
      'POST /api/v1/attendance/clock-in/': () => {
        state = clockedIn
        return jsonResponse(
          { code: 'already_clocked_in', message: '本班已经打过上班卡了。', fields: {} },
          409,
        )
      },
    })
    vi.stubGlobal('navigator', { ...navigator, geolocation: undefined })
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })
    await click('clock-in')
    expect($('clock-error')?.textContent).toContain('本班已经打过上班卡了')
    expect(calls(all, 'GET', '/api/v1/attendance/today/')).toHaveLength(2)
    expect($('clock-in-time')?.textContent).toBe('09:06')
  })

  it('tells a user without a staff profile to ask their administrator', async () => {
    backend({
      'GET /api/v1/attendance/today/': () =>
        jsonResponse(
          today({ profile: null, shift: null, can_clock_in: false, can_clock_out: false }),
        ),
    })
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })
    expect($('clock-no-profile')?.textContent).toContain('还没有员工档案')
    expect($('clock-no-profile')?.textContent).toContain('联系管理员')
    expect($('clock-add-profile')).toBeNull()
    expect($('clock-in')).toBeNull()
  })

  it('shows someone who manages staff where to add their own profile, not to ask an administrator', async () => {
    backend({
      'GET /api/v1/attendance/today/': () =>
        jsonResponse(
          today({ profile: null, shift: null, can_clock_in: false, can_clock_out: false }),
        ),
    })
    await mountPage(ClockPage, { path: '/clock', permissions: [...CLOCK, 'staff.manage', 'staff.view'] })
    expect($('clock-no-profile')?.textContent).not.toContain('联系管理员')
    expect($('clock-add-profile')?.getAttribute('href')).toBe('/basic-data/staff')
  })

  it('goes on and off duty', async () => {
    const all = backend({
      'POST /api/v1/attendance/duty/': (call) =>
        jsonResponse(
          today({ profile: { ...today().profile!, on_duty: Boolean(bodyOf(call).on_duty) } }),
        ),
    })
    await mountPage(ClockPage, { path: '/clock', permissions: CLOCK })
    await click('clock-duty')
    expect(bodyOf(calls(all, 'POST', '/api/v1/attendance/duty/')[0])).toEqual({ on_duty: true })
    expect($('clock-duty')?.classList.contains('is-checked')).toBe(true)
  })
})
