import { describe, expect, it, vi } from 'vitest'
import { ApiError, asList, buildQuery, createApiClient, serverLanguage, toApiError } from '@/api/client'
import { setLocale } from '@/i18n'
import type { RawResponse, RequestOptions } from '@/platform/types'

function fakeTransport(responses: RawResponse[] | ((o: RequestOptions) => RawResponse)) {
  const calls: RequestOptions[] = []
  const request = vi.fn(async (o: RequestOptions) => {
    calls.push(o)
    if (typeof responses === 'function') return responses(o)
    const next = responses.shift()
    if (!next) throw new Error('no more responses')
    return next
  })
  return { calls, request }
}

describe('buildQuery', () => {
  it('encodes keys and values and skips empty ones', () => {
    expect(buildQuery({ search: '3栋 1201', page: 2, empty: '', none: undefined, nil: null })).toBe(
      '?search=3%E6%A0%8B%201201&page=2',
    )
    expect(buildQuery(undefined)).toBe('')
    expect(buildQuery({ a: '' })).toBe('')
  })
})

describe('api client', () => {
  it('sends same-origin relative URLs with an empty base and no auth header when logged out', async () => {
    const t = fakeTransport([{ status: 200, data: { surface: 'company' } }])
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => null })
    await api.site()
    expect(t.calls[0].url).toBe('/api/v1/site/')
    expect(t.calls[0].method).toBe('GET')
    expect(t.calls[0].headers?.Authorization).toBeUndefined()
  })

  it('prefixes the mini-program API base (trailing slash trimmed) and sends the bearer token', async () => {
    const t = fakeTransport([{ status: 200, data: { id: 1, name: '张三', phone_masked: '138****5678', roles: ['resident'] } }])
    const api = createApiClient({ baseUrl: 'https://demo.wuye.example/', request: t.request, getToken: () => 'tok123' })
    const me = await api.me()
    expect(me.roles).toEqual(['resident'])
    expect(t.calls[0].url).toBe('https://demo.wuye.example/api/v1/me/')
    expect(t.calls[0].headers?.Authorization).toBe('Bearer tok123')
  })

  it('posts the login bodies', async () => {
    const login = { token: 'tk', expires_at: '2030-01-01T00:00:00Z', user: { id: 1, name: '', phone_masked: '138****0000' } }
    const t = fakeTransport([
      { status: 200, data: { sent: true, debug_code: '123456' } },
      { status: 200, data: login },
      { status: 200, data: login },
    ])
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => null })
    expect(await api.sendSmsCode('13800000000')).toEqual({ sent: true, debug_code: '123456' })
    expect(await api.smsLogin('13800000000', '123456')).toEqual(login)
    expect(await api.wechatLogin('wxcode')).toEqual(login)
    expect(t.calls.map((c) => [c.method, c.url, c.data])).toEqual([
      ['POST', '/api/v1/auth/sms/send/', { phone: '13800000000' }],
      ['POST', '/api/v1/auth/sms/login/', { phone: '13800000000', code: '123456' }],
      ['POST', '/api/v1/auth/wechat/', { code: 'wxcode' }],
    ])
  })

  it('builds the owner binding calls', async () => {
    const t = fakeTransport((o) => ({ status: o.method === 'POST' ? 201 : 200, data: o.method === 'POST' ? { id: 9 } : [] }))
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => 'x' })
    await api.estates()
    await api.houses(7, ' 1201 ')
    await api.houses(7)
    await api.createBinding({ house_id: 3, relation: 'family', name: '李四' })
    await api.createBinding({ house_code: 'H-0001' })
    await api.bindings()
    expect(t.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/owner/estates/',
      'GET /api/v1/owner/estates/7/houses/?search=1201',
      'GET /api/v1/owner/estates/7/houses/',
      'POST /api/v1/owner/bindings/',
      'POST /api/v1/owner/bindings/',
      'GET /api/v1/owner/bindings/',
    ])
    expect(t.calls[3].data).toEqual({ house_id: 3, relation: 'family', name: '李四' })
    expect(t.calls[4].data).toEqual({ house_code: 'H-0001' })
  })

  it('accepts a paginated list body as well as an array', () => {
    expect(asList([1, 2])).toEqual([1, 2])
    expect(asList({ count: 1, results: [{ id: 1 }] })).toEqual([{ id: 1 }])
    expect(asList(null)).toEqual([])
  })

  it('turns the backend error body into an ApiError with field messages', async () => {
    const t = fakeTransport([
      { status: 400, data: { code: 'invalid', message: '验证码错误', fields: { code: ['验证码错误或已过期'] } } },
    ])
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => null })
    const err = await api.smsLogin('13800000000', '000000').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect([e.status, e.code, e.message]).toEqual([400, 'invalid', '验证码错误'])
    expect(e.fieldError('code')).toBe('验证码错误或已过期')
    expect(e.fieldError('phone')).toBeUndefined()
  })

  it('reports 429 throttled with the server message', async () => {
    const t = fakeTransport([{ status: 429, data: { code: 'throttled', message: '请60秒后再试' } }])
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => null })
    await expect(api.sendSmsCode('13800000000')).rejects.toMatchObject({ status: 429, code: 'throttled', message: '请60秒后再试' })
  })

  it('calls onUnauthorized on 401 only when a token was sent', async () => {
    const onUnauthorized = vi.fn()
    let token: string | null = 'old'
    const t = fakeTransport(() => ({ status: 401, data: { code: 'not_authenticated', message: '请登录' } }))
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => token, onUnauthorized })
    await expect(api.me()).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    token = null
    await expect(api.smsLogin('13800000000', '1')).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('maps transport failures and bodies without an error shape', async () => {
    const api = createApiClient({
      baseUrl: '',
      request: async () => {
        throw new Error('request:fail')
      },
      getToken: () => null,
    })
    await expect(api.site()).rejects.toMatchObject({ status: 0, code: 'network', message: '网络异常，请检查网络后重试' })
    expect(toApiError(502, '<html>')).toMatchObject({ code: 'http_502', message: '服务器繁忙，请稍后再试' })
    expect(toApiError(429, null)).toMatchObject({ code: 'throttled' })
    expect(toApiError(404, {})).toMatchObject({ code: 'http_404' })
  })
})

describe('Accept-Language', () => {
  it('maps the UI locale to the server language', () => {
    expect(serverLanguage('zh-CN')).toBe('zh-hans')
    expect(serverLanguage('en')).toBe('en')
  })

  it('tells the server the current UI language on calls and file downloads', async () => {
    const t = fakeTransport(() => ({ status: 200, data: { surface: 'company' } }))
    const api = createApiClient({ baseUrl: '', request: t.request, getToken: () => 'tok' })
    try {
      await api.site()
      setLocale('en')
      await api.site()
      expect(t.calls.map((c) => c.headers?.['Accept-Language'])).toEqual(['zh-hans', 'en'])
      expect(api.receiptPdf(7).headers).toEqual({ 'Accept-Language': 'en', Authorization: 'Bearer tok' })
    } finally {
      setLocale('zh-CN')
    }
  })
})
