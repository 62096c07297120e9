/**
 * The one HTTP client every API module goes through.
 *
 * Conventions of the Django backend: JSON bodies, session cookie auth, the CSRF token in the
 * `X-CSRFToken` header on unsafe methods, and errors as `{code, message, fields}`. Every request
 * carries `Accept-Language` for the UI language, so the server's errors and labels match the screen.
 */

import { i18n } from '@/locales'

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue | QueryValue[]>
export type FieldErrors = Record<string, string[]>

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldErrors

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }

  get hasFieldErrors(): boolean {
    return Object.keys(this.fields).length > 0
  }
}

export interface RequestOptions {
  query?: Query
  /** JSON body (plain object) or multipart body (FormData). */
  body?: unknown
  signal?: AbortSignal
  /**
   * Do not run the global 401/403 handlers: the caller shows the error itself
   * (the login form, the `me` probe of the route guard).
   */
  handleErrorsLocally?: boolean
  /** Extra request headers (the partner portal's bearer token). */
  headers?: Record<string, string>
}

export interface HttpHandlers {
  onUnauthorized?: (error: ApiError) => void
  onForbidden?: (error: ApiError) => void
  /** 402: the company's service is suspended (unpaid subscription, or by the platform). */
  onSuspended?: (error: ApiError) => void
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const CSRF_URL = '/api/v1/auth/csrf/'

let handlers: HttpHandlers = {}
let cachedCsrfToken: string | null = null
let csrfRequest: Promise<string> | null = null
/** The host has no CSRF endpoint (the public site: signup needs no token). */
let csrfUnavailable = false

/** The server's language tag (Django's LANGUAGES: zh-hans, en) for a UI locale. */
export function serverLanguage(locale: string = i18n.global.locale.value): string {
  return locale === 'en' ? 'en' : 'zh-hans'
}

function baseHeaders(): Record<string, string> {
  return { Accept: 'application/json', 'Accept-Language': serverLanguage() }
}

export function configureHttp(next: HttpHandlers): void {
  handlers = next
}

/** Forget the CSRF token: Django rotates it on login and logout. */
export function resetCsrf(): void {
  cachedCsrfToken = null
  csrfRequest = null
  csrfUnavailable = false
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

/**
 * The CSRF token for unsafe requests, or '' when this host has none to give (the public site
 * serves no /auth/csrf/: its only unsafe endpoint, signup, is not CSRF-protected).
 */
export async function getCsrfToken(): Promise<string> {
  // The cookie is the source of truth (it changes after login); the endpoint's body is the
  // fallback when the cookie is not readable.
  const fromCookie = readCookie('csrftoken')
  if (fromCookie) return fromCookie
  if (cachedCsrfToken) return cachedCsrfToken
  if (csrfUnavailable) return ''
  if (!csrfRequest) {
    csrfRequest = fetch(CSRF_URL, {
      credentials: 'same-origin',
      headers: baseHeaders(),
    })
      .then(async (response) => {
        if (response.status === 404) {
          csrfUnavailable = true
          return ''
        }
        if (!response.ok) throw await toApiError(response)
        const data = (await response.json()) as { csrf_token: string }
        cachedCsrfToken = data.csrf_token
        return data.csrf_token
      })
      .finally(() => {
        csrfRequest = null
      })
  }
  return csrfRequest
}

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw]
    for (const value of values) {
      if (value === undefined || value === null || value === '') continue
      params.append(key, String(value))
    }
  }
  const qs = params.toString()
  if (!qs) return path
  return path + (path.includes('?') ? '&' : '?') + qs
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  if (body && typeof body === 'object' && 'code' in body) {
    const b = body as { code: string; message?: string; fields?: FieldErrors }
    return new ApiError(response.status, b.code, b.message ?? '', b.fields ?? {})
  }
  const code =
    response.status === 401
      ? 'not_authenticated'
      : response.status === 403
        ? 'permission_denied'
        : response.status === 404
          ? 'not_found'
          : response.status === 429
            ? 'throttled'
            : 'server_error'
  return new ApiError(response.status, code, '')
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers = { ...baseHeaders(), ...options.headers }
  let body: BodyInit | undefined
  if (options.body instanceof FormData) {
    body = options.body
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  if (UNSAFE.has(method)) {
    const token = await getCsrfToken()
    if (token) headers['X-CSRFToken'] = token
  }

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network_error', '')
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (!options.handleErrorsLocally) {
      if (error.status === 401) handlers.onUnauthorized?.(error)
      else if (error.status === 403) handlers.onForbidden?.(error)
      else if (error.status === 402) handlers.onSuspended?.(error)
    }
    throw error
  }
  return response
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const response = await send(method, path, options)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
}

/** `attachment; filename*=UTF-8''%E6%88%BF.xlsx` or `attachment; filename="a.xlsx"` → name. */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain ? plain[1].trim() : fallback
}

/**
 * A file the browser cannot load by its address alone (an `<img src>` sends no bearer token): the
 * partner portal's photos. Shown through components/AuthorizedImage.vue as a blob: URL.
 */
export async function fetchBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await send('GET', path, {
    ...options,
    headers: { Accept: 'image/*', ...options.headers },
  })
  return response.blob()
}

/** Fetch a file (e.g. an Excel export) with the session and save it through the browser. */
export async function download(path: string, query?: Query, fallbackName = 'export.xlsx') {
  const response = await send('GET', path, { query })
  const blob = await response.blob()
  const name = filenameFromDisposition(response.headers.get('Content-Disposition'), fallbackName)
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = name
  link.style.display = 'none'
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 1000)
  return name
}
