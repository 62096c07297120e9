import { describe, expect, expectTypeOf, it } from 'vitest'

import { api, fillPath, type Answer, type Body, type Schemas } from '@/api/contract'
import { jsonResponse, mockFetch } from '@/test/http'

describe('api (typed by the OpenAPI documents)', () => {
  it('fills path parameters and sends the documented query', async () => {
    const calls = mockFetch(() =>
      jsonResponse({ count: 0, next: null, previous: null, results: [] }),
    )
    await api.get('/api/v1/houses/', { query: { search: '3-1', page_size: 20, estate: 2 } })
    await api.get('/api/v1/estates/{id}/', { path: { id: 7 } })
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/houses/?search=3-1&page_size=20&estate=2',
      '/api/v1/estates/7/',
    ])
  })

  it('encodes path parameters and refuses a missing one', () => {
    expect(fillPath('/api/v1/jobs/{id}/', { id: 'a b/c' })).toBe('/api/v1/jobs/a%20b%2Fc/')
    expect(() => fillPath('/api/v1/jobs/{id}/', {})).toThrow('path parameter id missing')
  })

  it('types answers and bodies from the documents', () => {
    expectTypeOf<Answer<'/api/v1/estates/{id}/', 'get'>>().toEqualTypeOf<Schemas['Estate']>()
    expectTypeOf<Answer<'/api/v1/estates/{id}/', 'delete'>>().toEqualTypeOf<undefined>()
    expectTypeOf<Answer<'/api/v1/jobs/{id}/', 'get'>>().toEqualTypeOf<Schemas['Job']>()
    expectTypeOf<Body<'/api/v1/estates/', 'post'>>().toEqualTypeOf<Schemas['EstateRequest']>()
    expectTypeOf<Body<'/api/v1/imports/', 'post'>>().toEqualTypeOf<FormData>()
    expectTypeOf<Body<'/api/v1/house-bindings/{id}/approve/', 'post'>>().toEqualTypeOf<undefined>()
  })

  it('rejects what the documents do not allow (checked by vue-tsc)', () => {
    mockFetch(() => jsonResponse({}))
    const wrong = () => {
      // @ts-expect-error a field the serializer does not have
      void api.post('/api/v1/estates/', { nom: '和平苑' })
      // @ts-expect-error the path needs its id
      void api.get('/api/v1/estates/{id}/')
      // @ts-expect-error no such path
      void api.get('/api/v1/estate/')
      // @ts-expect-error a query parameter the endpoint does not take
      void api.get('/api/v1/estates/', { query: { colour: 'red' } })
      // @ts-expect-error the list has no PATCH
      void api.patch('/api/v1/estates/', { name: 'x' })
    }
    expect(wrong).toBeTypeOf('function')
  })
})
