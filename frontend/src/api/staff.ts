/**
 * Staff (员工): departments, posts, shifts, staff profiles, attendance (clocking from a phone, the
 * records and the monthly sheet) and the per-staff performance summary.
 *
 * Kept apart from `api/index.ts` so these endpoints load with the staff pages, not the login page.
 */
import { http } from './http'
import type { Paginated } from './types'

export const STAFF_ROLES = [
  'admin',
  'cashier',
  'dispatcher',
  'repair_worker',
  'guard',
  'customer_service',
] as const
/** ISO weekdays, Monday first. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const

export interface Department {
  id: number
  name: string
  parent: number | null
  parent_name: string | null
  sort_order: number
  staff_count: number
}

export interface Post {
  id: number
  name: string
  description: string
  staff_count: number
}

export interface Shift {
  id: number
  name: string
  start_time: string
  end_time: string
  late_grace_minutes: number
  early_leave_grace_minutes: number
  workdays: number[]
  crosses_midnight: boolean
}

export interface StaffProfile {
  id: number
  user_id: number
  username: string
  name: string
  phone_masked: string
  roles: string[]
  account_active: boolean
  employee_no: string
  department: number | null
  department_name: string | null
  post: number | null
  post_name: string | null
  shift: number | null
  shift_name: string | null
  hire_date: string | null
  on_duty: boolean
  active: boolean
}

export interface Candidate {
  id: number
  username: string
  name: string
  roles: string[]
}

/** The profile fields shared by "existing account" and "new account". */
export interface ProfileFields {
  employee_no: string
  department: number | null
  post: number | null
  shift: number | null
  hire_date: string | null
}

export interface NewAccountFields {
  username: string
  name: string
  roles: string[]
  password?: string
  phone?: string
}

export type ProfileCreate = ProfileFields & ({ user_id: number } | NewAccountFields)

export type ProfileUpdate = Partial<
  ProfileFields & { active: boolean; name: string; phone: string }
>

export interface AttendanceRecord {
  id: number
  staff: number
  employee_no: string
  name: string
  department_name: string | null
  work_date: string
  shift_name: string | null
  clock_in_at: string | null
  clock_in_latitude: string | null
  clock_in_longitude: string | null
  clock_in_accuracy: string | null
  clock_in_ip: string | null
  clock_out_at: string | null
  clock_out_latitude: string | null
  clock_out_longitude: string | null
  clock_out_ip: string | null
  late_minutes: number
  early_leave_minutes: number
  missing_clock_in: boolean
  missing_clock_out: boolean
}

export interface SheetRow {
  staff: number
  employee_no: string
  name: string
  department_name: string | null
  post_name: string | null
  shift_name: string | null
  working_days: number
  days_worked: number
  late_count: number
  late_minutes: number
  early_leave_count: number
  absent_count: number
  missing_clock_in_count: number
  missing_clock_out_count: number
}

export interface PerformanceRow {
  staff: number
  employee_no: string
  name: string
  department_name: string | null
  post_name: string | null
  work_orders_done: number
  rating_count: number
  average_rating: string | null
  sla_met: number
  sla_total: number
  sla_met_percent: string | null
}

export interface Today {
  date: string
  server_time: string
  profile: {
    id: number
    employee_no: string
    name: string
    department_name: string | null
    post_name: string | null
    on_duty: boolean
    active: boolean
  } | null
  shift: {
    id: number
    name: string
    start_time: string
    end_time: string
    crosses_midnight: boolean
  } | null
  record: {
    id: number
    work_date: string
    clock_in_at: string | null
    clock_out_at: string | null
    late_minutes: number
    early_leave_minutes: number
    missing_clock_in: boolean
  } | null
  can_clock_in: boolean
  can_clock_out: boolean
}

/** 排班: one date's override of a staff member's default shift; `shift: null` is a day off. */
export interface RosterEntry {
  id: number
  staff: number
  name: string
  date: string
  shift: number | null
  shift_name: string | null
}

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
} as const

/** Every row of a small list (departments, posts, shifts) for a select. */
const all = <T>(path: string) =>
  http.get<Paginated<T>>(path, { query: { page_size: 200 } }).then((page) => page.results)

function crud<T, Body>(path: string) {
  return {
    all: () => all<T>(path),
    create: (body: Body) => http.post<T>(path, body),
    update: (id: number, body: Partial<Body>) => http.patch<T>(`${path}${id}/`, body),
    remove: (id: number) => http.delete<void>(`${path}${id}/`),
  }
}

export const departmentsApi = crud<
  Department,
  { name: string; parent: number | null; sort_order?: number }
>(STAFF_ENDPOINTS.departments)
export const postsApi = crud<Post, { name: string; description: string }>(STAFF_ENDPOINTS.posts)
export const shiftsApi = crud<Shift, Omit<Shift, 'id' | 'crosses_midnight'>>(STAFF_ENDPOINTS.shifts)

export const profilesApi = {
  create: (body: ProfileCreate) => http.post<StaffProfile>(STAFF_ENDPOINTS.profiles, body),
  update: (id: number, body: ProfileUpdate) =>
    http.patch<StaffProfile>(`${STAFF_ENDPOINTS.profiles}${id}/`, body),
  setDuty: (id: number, onDuty: boolean) =>
    http.post<StaffProfile>(`${STAFF_ENDPOINTS.profiles}${id}/duty/`, { on_duty: onDuty }),
  candidates: () => http.get<Candidate[]>(`${STAFF_ENDPOINTS.profiles}candidates/`),
  /** A page of serving staff, optionally of one department (and those under it). */
  active: (query: { department?: number; page: number; page_size: number }) =>
    http.get<Paginated<StaffProfile>>(STAFF_ENDPOINTS.profiles, {
      query: { ...query, active: 'true', ordering: 'employee_no' },
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

export const rosterApi = {
  /** The overrides between two dates (YYYY-MM-DD, both included). */
  between: (from: string, to: string) =>
    everyPage<RosterEntry>(STAFF_ENDPOINTS.roster, { date_from: from, date_to: to }),
  /** Sets that date's shift for one staff member, replacing any override; null: a day off. */
  set: (staff: number, date: string, shift: number | null) =>
    http.post<RosterEntry>(STAFF_ENDPOINTS.roster, { staff, date, shift }),
  /** Back to the default shift that day. */
  clear: (id: number) => http.delete<void>(`${STAFF_ENDPOINTS.roster}${id}/`),
}

export const clockApi = {
  today: () => http.get<Today>('/api/v1/attendance/today/'),
  clockIn: (position: Position | null) =>
    http.post<Today>('/api/v1/attendance/clock-in/', position ?? {}),
  clockOut: (position: Position | null) =>
    http.post<Today>('/api/v1/attendance/clock-out/', position ?? {}),
  setDuty: (onDuty: boolean) => http.post<Today>('/api/v1/attendance/duty/', { on_duty: onDuty }),
  mine: (month: string) =>
    http.get<AttendanceRecord[]>('/api/v1/attendance/mine/', { query: { month } }),
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
