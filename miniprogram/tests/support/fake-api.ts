/**
 * A scripted backend for the owner screens: routes `"METHOD /path"` to a response (or a function
 * of the request), through the real API client, so tests exercise the client, the store and the
 * pages together without a server.
 */
import { vi } from 'vitest'
import { createApiClient } from '@/api/client'
import type { RawResponse, RequestOptions, UploadOptions } from '@/platform/types'
import type { Binding, OwnerCorrection, OwnerHouse, OwnerProfile } from '@/api/types'

export type Route = RawResponse | ((o: RequestOptions) => RawResponse)

export function createFakeBackend() {
  const routes = new Map<string, Route>()
  const calls: RequestOptions[] = []
  const request = vi.fn(async (o: RequestOptions): Promise<RawResponse> => {
    calls.push(o)
    const key = `${o.method} ${o.url.split('?')[0]}`
    const route = routes.get(key)
    if (!route) return { status: 404, data: { code: 'not_found', message: `no route ${key}` } }
    return typeof route === 'function' ? route(o) : route
  })
  // An upload is routed like a POST whose body is `{ file: <the local path> }`.
  const upload = (o: UploadOptions) => request({ url: o.url, method: 'POST', data: { [o.name]: o.filePath }, headers: o.headers })
  const api = createApiClient({ baseUrl: '', request, upload, getToken: () => 'owner-token' })
  return {
    api,
    calls,
    request,
    on(methodAndPath: string, route: Route) {
      routes.set(methodAndPath, route)
    },
    /** `"PATCH /api/v1/owner/profile/"`-style list of what was called. */
    called(): string[] {
      return calls.map((c) => `${c.method} ${c.url}`)
    },
    reset() {
      routes.clear()
      calls.length = 0
    },
  }
}

export const HOUSES: OwnerHouse[] = [
  {
    occupancy_id: 11,
    house: 101,
    label: '1栋1单元101',
    estate_name: '翠湖花园',
    relation: 'family',
    is_primary_payer: false,
    building_area: '89.50',
    layout: '2室1厅',
    moved_in: '2023-09-01',
  },
  {
    occupancy_id: 12,
    house: 202,
    label: '3栋2单元1101',
    estate_name: '翠湖花园',
    relation: 'owner',
    is_primary_payer: true,
    building_area: '128.00',
    layout: '3室2厅',
    moved_in: '2024-05-01',
  },
]

export function profile(overrides: Partial<OwnerProfile> = {}): OwnerProfile {
  return {
    name: '林业主',
    gender: 'female',
    phone_masked: '138****3333',
    id_number_masked: '110105********002X',
    emergency_contact: '王芳 13900001111',
    pending_correction: null,
    last_correction: null,
    ...overrides,
  }
}

/** A correction as the backend sends it; pending unless `status` says otherwise. */
export function correction(overrides: Partial<OwnerCorrection> = {}): OwnerCorrection {
  return {
    id: 7,
    name: '',
    id_number_masked: '',
    status: 'pending',
    reason: '',
    created_at: '2026-06-01T04:00:00Z',
    decided_at: null,
    ...overrides,
  }
}

export function binding(overrides: Partial<Binding> & Pick<Binding, 'id' | 'status'>): Binding {
  return {
    house: { id: 300 + Number(overrides.id), label: `5栋1单元${overrides.id}01`, estate_name: '翠湖花园' },
    relation: 'owner',
    name: '林业主',
    reason: '',
    decided_at: null,
    created_at: '2026-05-01T02:00:00Z',
    ...overrides,
  }
}

export const NO_PROFILE: RawResponse = {
  status: 404,
  data: { code: 'no_profile', message: '房屋绑定审核通过后才有住户资料' },
}
