/**
 * Staff (员工): departments, posts, shifts, staff profiles, attendance (clocking from a phone, the
 * records and the monthly sheet) and the per-staff performance summary.
 *
 * Kept apart from `api/index.ts` so these endpoints load with the staff pages, not the login page.
 */
import { api, type ApiPath, type Schemas } from './contract'
import { http } from './http'
import type { Paginated } from './types'

/** The roles a staff account may hold (the owner app's `resident` is not one). */
export type StaffRole = Schemas['ProfileCreateRolesEnum']
export const STAFF_ROLES: readonly StaffRole[] = [
  'admin',
  'cashier',
  'dispatcher',
  'repair_worker',
  'guard',
  'customer_service',
]
/** ISO weekdays, Monday first. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const

export type Department = Schemas['Department']
export type Post = Schemas['Post']
export type Shift = Schemas['Shift']
export type StaffProfile = Schemas['Profile']
export type Candidate = Schemas['Candidate']
/** An existing account (`user_id`) or a new one (`username`, `name`, `roles`, …) plus the profile. */
export type ProfileCreate = Schemas['ProfileCreateRequest']
export type ProfileUpdate = Schemas['PatchedProfileUpdateRequest']
export type AttendanceRecord = Schemas['AttendanceRecord']
export type SheetRow = Schemas['SheetRow']
export type PerformanceRow = Schemas['PerformanceRow']
export type Today = Schemas['Today']
/** 排班: one date's override of a staff member's default shift; `shift: null` is a day off. */
export type RosterEntry = Schemas['Roster']

/** Where the phone is (the browser's numbers; sent as the decimal strings the API documents). */
export interface Position {
  latitude: number
  longitude: number
  accuracy?: number
}

export const STAFF_ENDPOINTS = {
  departments: '/api/v1/departments/',
  posts: '/api/v1/posts/',
  shifts: '/api/v1/shifts/',
  profiles: '/api/v1/staff-profiles/',
  attendance: '/api/v1/attendance-records/',
  sheet: '/api/v1/attendance-sheet/',
  performance: '/api/v1/staff-performance/',
  roster: '/api/v1/roster/',
} as const satisfies Record<string, ApiPath>

/** Every row of a small list (departments, posts, shifts) for a select. */
const all = <T>(path: string) =>
  http.get<Paginated<T>>(path, { query: { page_size: 200 } }).then((page) => page.results)

export const departmentsApi = {
  all: () => all<Department>(STAFF_ENDPOINTS.departments),
  create: (body: Schemas['DepartmentRequest']) => api.post('/api/v1/departments/', body),
  update: (id: number, body: Schemas['PatchedDepartmentRequest']) =>
    api.patch('/api/v1/departments/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/departments/{id}/', { path: { id } }),
}

export const postsApi = {
  all: () => all<Post>(STAFF_ENDPOINTS.posts),
  create: (body: Schemas['PostRequest']) => api.post('/api/v1/posts/', body),
  update: (id: number, body: Schemas['PatchedPostRequest']) =>
    api.patch('/api/v1/posts/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/posts/{id}/', { path: { id } }),
}

export const shiftsApi = {
  all: () => all<Shift>(STAFF_ENDPOINTS.shifts),
  create: (body: Schemas['ShiftRequest']) => api.post('/api/v1/shifts/', body),
  update: (id: number, body: Schemas['PatchedShiftRequest']) =>
    api.patch('/api/v1/shifts/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/shifts/{id}/', { path: { id } }),
}

export const profilesApi = {
  create: (body: ProfileCreate) => api.post('/api/v1/staff-profiles/', body),
  update: (id: number, body: ProfileUpdate) =>
    api.patch('/api/v1/staff-profiles/{id}/', body, { path: { id } }),
  setDuty: (id: number, onDuty: boolean) =>
    api.post('/api/v1/staff-profiles/{id}/duty/', { on_duty: onDuty }, { path: { id } }),
  candidates: () => api.get('/api/v1/staff-profiles/candidates/'),
  /** A page of serving staff, optionally of one department (and those under it). */
  active: (query: { department?: number; page: number; page_size: number }) =>
    api.get('/api/v1/staff-profiles/', {
      query: { ...query, active: true, ordering: 'employee_no' },
    }),
}

/** Every page of a list the server pages at most 200 rows at a time. */
async function everyPage<T>(path: string, query: Record<string, string | number>) {
  const rows: T[] = []
  for (let page = 1; ; page += 1) {
    const batch = await http.get<Paginated<T>>(path, { query: { ...query, page, page_size: 200 } })
    rows.push(...batch.results)
    if (!batch.next || batch.results.length === 0) return rows
  }
}

const clockBody = (position: Position | null): Schemas['ClockRequest'] =>
  position
    ? {
        latitude: String(position.latitude),
        longitude: String(position.longitude),
        ...(position.accuracy === undefined ? {} : { accuracy: String(position.accuracy) }),
      }
    : {}

export const rosterApi = {
  /** The overrides between two dates (YYYY-MM-DD, both included). */
  between: (from: string, to: string) =>
    everyPage<RosterEntry>(STAFF_ENDPOINTS.roster, { date_from: from, date_to: to }),
  /** Sets that date's shift for one staff member, replacing any override; null: a day off. */
  set: (staff: number, date: string, shift: number | null) =>
    api.post('/api/v1/roster/', { staff, date, shift }),
  /** Back to the default shift that day. */
  clear: (id: number) => api.delete('/api/v1/roster/{id}/', { path: { id } }),
}

export const clockApi = {
  today: () => api.get('/api/v1/attendance/today/'),
  clockIn: (position: Position | null) =>
    api.post('/api/v1/attendance/clock-in/', clockBody(position)),
  clockOut: (position: Position | null) =>
    api.post('/api/v1/attendance/clock-out/', clockBody(position)),
  setDuty: (onDuty: boolean) => api.post('/api/v1/attendance/duty/', { on_duty: onDuty }),
  mine: (month: string) => api.get('/api/v1/attendance/mine/', { query: { month } }),
}

/** `2026-11` for a Date, in Beijing time (the server's months). */
export function monthOf(date: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(date)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}`
}

/** `'/api/v1/attendance-sheet/'` + `{month: '2026-11'}` → an endpoint DataTable can page and export. */
export function withQuery(path: string, query: Record<string, string | number | undefined>) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}
