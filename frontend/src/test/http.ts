import { vi } from 'vitest'

export interface MockCall {
  url: string
  method: string
  headers: Record<string, string>
  body: unknown
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

/**
 * Replace fetch with a handler; returns the list of calls made, newest last.
 * The handler returns a Response (or a promise of one) for each request.
 */
export function mockFetch(handler: (call: MockCall) => Response | Promise<Response>) {
  const calls: MockCall[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: MockCall = {
      url: String(input),
      method: (init.method ?? 'GET').toUpperCase(),
      headers: { ...(init.headers as Record<string, string> | undefined) },
      body: init.body,
    }
    calls.push(call)
    return handler(call)
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

/** Query parameters of a called URL as a plain object. */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, 'http://test.local').searchParams)
}
