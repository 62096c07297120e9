import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  ApiError,
  buildUrl,
  configureHttp,
  download,
  filenameFromDisposition,
  http,
  resetCsrf,
  serverLanguage,
} from '@/api/http'
import { i18n } from '@/locales'
import { jsonResponse, mockFetch } from '@/test/http'

function clearCookies() {
  for (const c of document.cookie.split(';')) {
    const name = c.split('=')[0].trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

beforeEach(() => {
  resetCsrf()
  clearCookies()
  configureHttp({})
})
afterEach(clearCookies)

describe('buildUrl', () => {
  it('drops empty values and repeats arrays', () => {
    expect(buildUrl('/api/v1/users/', { page: 1, search: '', role: null, tag: ['a', 'b'] })).toBe(
      '/api/v1/users/?page=1&tag=a&tag=b',
    )
  })

  it('appends to an existing query string', () => {
    expect(buildUrl('/x/?a=1', { b: 2 })).toBe('/x/?a=1&b=2')
  })
})

describe('CSRF', () => {
  it('fetches the token once and sends it on unsafe requests only', async () => {
    const calls = mockFetch((call) =>
      call.url === '/api/v1/auth/csrf/'
        ? jsonResponse({ csrf_token: 'tok-1' })
        : jsonResponse({ ok: true }),
    )
    await http.post('/api/v1/a/', { x: 1 })
    await http.patch('/api/v1/b/', { y: 2 })
    await http.get('/api/v1/c/')

    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/auth/csrf/',
      'POST /api/v1/a/',
      'PATCH /api/v1/b/',
      'GET /api/v1/c/',
    ])
    expect(calls[1].headers['X-CSRFToken']).toBe('tok-1')
    expect(calls[2].headers['X-CSRFToken']).toBe('tok-1')
    expect(calls[3].headers['X-CSRFToken']).toBeUndefined()
    expect(calls[1].body).toBe('{"x":1}')
    expect(calls[1].headers['Content-Type']).toBe('application/json')
  })

  it('prefers the csrftoken cookie, which Django rotates at login', async () => {
    document.cookie = 'csrftoken=from-cookie; path=/'
    const calls = mockFetch(() => jsonResponse({}))
    await http.delete('/api/v1/x/')
    expect(calls).toHaveLength(1)
    expect(calls[0].headers['X-CSRFToken']).toBe('from-cookie')
  })

  it('sends no token when the host has no CSRF endpoint (the public site), asking only once', async () => {
    const calls = mockFetch((call) =>
      call.url === '/api/v1/auth/csrf/'
        ? jsonResponse({ code: 'not_found', message: '', fields: {} }, 404)
        : jsonResponse({ id: 1 }, 202),
    )
    await http.post('/api/v1/signups/', { slug: 'a' })
    await http.post('/api/v1/signups/', { slug: 'b' })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/auth/csrf/',
      'POST /api/v1/signups/',
      'POST /api/v1/signups/',
    ])
    expect(calls[1].headers['X-CSRFToken']).toBeUndefined()
  })

  it('sends FormData as multipart without a JSON content type', async () => {
    document.cookie = 'csrftoken=t; path=/'
    const calls = mockFetch(() => jsonResponse({}))
    const form = new FormData()
    form.append('file', new Blob(['x']), 'a.png')
    await http.post('/api/v1/upload/', form)
    expect(calls[0].body).toBe(form)
    expect(calls[0].headers['Content-Type']).toBeUndefined()
  })
})

describe('errors', () => {
  it('turns the error body into an ApiError with fields', async () => {
    document.cookie = 'csrftoken=t; path=/'
    mockFetch(() =>
      jsonResponse(
        { code: 'validation_error', message: '输入有误', fields: { slug: ['已被占用'] } },
        400,
      ),
    )
    const error = await http.post('/api/v1/signups/', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: '输入有误',
      fields: { slug: ['已被占用'] },
      hasFieldErrors: true,
    })
  })

  it('calls the 401 handler, unless the caller handles errors itself', async () => {
    const onUnauthorized = vi.fn()
    const onForbidden = vi.fn()
    configureHttp({ onUnauthorized, onForbidden })
    mockFetch(() => jsonResponse({ code: 'not_authenticated', message: '', fields: {} }, 401))

    await expect(http.get('/api/v1/me/')).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)

    await expect(http.get('/api/v1/me/', { handleErrorsLocally: true })).rejects.toBeInstanceOf(
      ApiError,
    )
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    expect(onForbidden).not.toHaveBeenCalled()
  })

  it('calls the 403 handler with the server message', async () => {
    const onForbidden = vi.fn()
    configureHttp({ onForbidden })
    mockFetch(() => jsonResponse({ code: 'permission_denied', message: '无权限', fields: {} }, 403))
    await expect(http.get('/api/v1/users/')).rejects.toBeInstanceOf(ApiError)
    expect(onForbidden).toHaveBeenCalledWith(expect.objectContaining({ message: '无权限' }))
  })

  it('maps a non-JSON failure to a code by status', async () => {
    mockFetch(() => new Response('<h1>Server Error</h1>', { status: 500 }))
    await expect(http.get('/api/v1/x/')).rejects.toMatchObject({
      code: 'server_error',
      status: 500,
    })
  })

  it('reports network failures as network_error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    await expect(http.get('/api/v1/x/')).rejects.toMatchObject({ code: 'network_error' })
  })
})

describe('download', () => {
  it('saves the file under the name from Content-Disposition', async () => {
    const calls = mockFetch(
      () =>
        new Response(new Blob(['xlsx']), {
          status: 200,
          headers: {
            'Content-Disposition': "attachment; filename*=UTF-8''%E5%91%98%E5%B7%A5.xlsx",
          },
        }),
    )
    const createObjectURL = vi.fn(() => 'blob:1')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})

    const name = await download('/api/v1/users/', { format: 'xlsx', role: 'guard' })

    expect(calls[0].url).toBe('/api/v1/users/?format=xlsx&role=guard')
    expect(name).toBe('员工.xlsx')
    expect(click).toHaveBeenCalledTimes(1)
    expect(createObjectURL).toHaveBeenCalledTimes(1)
  })

  it('parses both forms of filename', () => {
    expect(filenameFromDisposition('attachment; filename="a b.xlsx"', 'x')).toBe('a b.xlsx')
    expect(filenameFromDisposition(null, 'fallback.xlsx')).toBe('fallback.xlsx')
  })
})

describe('Accept-Language', () => {
  afterEach(() => {
    i18n.global.locale.value = 'zh-CN'
  })

  it('maps the UI locale to the server language', () => {
    expect(serverLanguage('zh-CN')).toBe('zh-hans')
    expect(serverLanguage('en')).toBe('en')
  })

  it('sends the current UI language on every request, the CSRF probe included', async () => {
    const calls = mockFetch((call) =>
      call.url === '/api/v1/auth/csrf/' ? jsonResponse({ csrf_token: 't' }) : jsonResponse({ ok: true }),
    )
    await http.get('/api/v1/users/')
    i18n.global.locale.value = 'en'
    await http.post('/api/v1/users/', { name: 'x' })
    expect(calls.map((c) => [c.url, c.headers['Accept-Language']])).toEqual([
      ['/api/v1/users/', 'zh-hans'],
      ['/api/v1/auth/csrf/', 'en'],
      ['/api/v1/users/', 'en'],
    ])
  })
})
