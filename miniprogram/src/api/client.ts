import type { HttpMethod, RawResponse, RequestOptions } from '@/platform/types'
import { t } from '@/i18n'
import type {
  ApiErrorBody,
  Binding,
  CreateBindingRequest,
  CreateCorrectionRequest,
  Estate,
  HouseOption,
  LoginResponse,
  Me,
  OwnerHouse,
  OwnerProfile,
  SiteResponse,
  SmsSendResponse,
  UpdateOwnerContactRequest,
} from './types'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** First message for a field, if the backend rejected it. */
  fieldError(field: string): string | undefined {
    return this.fields[field]?.[0]
  }
}

export interface ApiClientOptions {
  /** `''` in H5 (same origin); `https://<slug>.<base domain>` in the mini-program. */
  baseUrl: string
  request: (options: RequestOptions) => Promise<RawResponse>
  getToken: () => string | null
  /** Called when a request that carried a token gets 401 (token expired or revoked). */
  onUnauthorized?: () => void
}

type Query = Record<string, string | number | undefined | null>

/** `URLSearchParams` does not exist in the mini-program, so encode by hand. */
export function buildQuery(query: Query | undefined): string {
  if (!query) return ''
  const parts: string[] = []
  for (const key of Object.keys(query)) {
    const v = query[key]
    if (v === undefined || v === null || v === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function isErrorBody(data: unknown): data is ApiErrorBody {
  return !!data && typeof data === 'object' && typeof (data as ApiErrorBody).code === 'string'
}

export function toApiError(status: number, data: unknown): ApiError {
  if (isErrorBody(data)) {
    return new ApiError(status, data.code, data.message || t('errors.generic'), data.fields ?? {})
  }
  if (status === 401) return new ApiError(status, 'unauthorized', t('errors.unauthorized'))
  if (status === 429) return new ApiError(status, 'throttled', t('errors.throttled'))
  if (status >= 500) return new ApiError(status, `http_${status}`, t('errors.server'))
  return new ApiError(status, `http_${status}`, t('errors.generic'))
}

export function asList<T>(data: unknown): T[] {
  if (Array.isArray(data)) return data as T[]
  if (data && typeof data === 'object' && Array.isArray((data as { results?: unknown }).results)) {
    return (data as { results: T[] }).results
  }
  return []
}

export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')

  async function call<T>(method: HttpMethod, path: string, body?: unknown, query?: Query): Promise<T> {
    const token = options.getToken()
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (token) headers.Authorization = `Bearer ${token}`
    let res: RawResponse
    try {
      res = await options.request({ url: `${base}${path}${buildQuery(query)}`, method, data: body, headers })
    } catch {
      throw new ApiError(0, 'network', t('errors.network'))
    }
    if (res.status >= 200 && res.status < 300) return res.data as T
    if (res.status === 401 && token) options.onUnauthorized?.()
    throw toApiError(res.status, res.data)
  }

  /** List endpoints return arrays; accept a DRF page (`{"results": [...]}`) too. */
  async function list<T>(path: string, query?: Query): Promise<T[]> {
    return asList<T>(await call<unknown>('GET', path, undefined, query))
  }

  return {
    call,
    site: () => call<SiteResponse>('GET', '/api/v1/site/'),
    wechatLogin: (code: string) => call<LoginResponse>('POST', '/api/v1/auth/wechat/', { code }),
    sendSmsCode: (phone: string) => call<SmsSendResponse>('POST', '/api/v1/auth/sms/send/', { phone }),
    smsLogin: (phone: string, code: string) => call<LoginResponse>('POST', '/api/v1/auth/sms/login/', { phone, code }),
    me: () => call<Me>('GET', '/api/v1/me/'),
    estates: () => list<Estate>('/api/v1/owner/estates/'),
    houses: (estateId: Estate['id'], search?: string) =>
      list<HouseOption>(`/api/v1/owner/estates/${encodeURIComponent(String(estateId))}/houses/`, {
        search: search?.trim(),
      }),
    createBinding: (body: CreateBindingRequest) => call<Binding>('POST', '/api/v1/owner/bindings/', body),
    bindings: () => list<Binding>('/api/v1/owner/bindings/'),
    ownerHouses: () => list<OwnerHouse>('/api/v1/owner/houses/'),
    ownerProfile: () => call<OwnerProfile>('GET', '/api/v1/owner/profile/'),
    updateOwnerContact: (body: UpdateOwnerContactRequest) => call<unknown>('PATCH', '/api/v1/owner/profile/', body),
    requestCorrection: (body: CreateCorrectionRequest) => call<unknown>('POST', '/api/v1/owner/profile/corrections/', body),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
