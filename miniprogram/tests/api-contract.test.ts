import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createApiClient } from '@/api/client'
import { fillPath, type Answer, type Body, type Schemas } from '@/api/contract'
import type { RawResponse, RequestOptions } from '@/platform/types'

function client(data: unknown = []) {
  const calls: RequestOptions[] = []
  const request = vi.fn(async (o: RequestOptions): Promise<RawResponse> => {
    calls.push(o)
    return { status: 200, data }
  })
  return { calls, api: createApiClient({ baseUrl: '', request, getToken: () => 'tok' }) }
}

describe('API contract (types from the OpenAPI document)', () => {
  it('fills path parameters and sends the documented query', async () => {
    const { calls, api } = client()
    await api.houses(12, ' 3-1 ')
    expect(calls[0].url).toBe('/api/v1/owner/estates/12/houses/?search=3-1')
    expect(fillPath('/api/v1/owner/estates/{estate_id}/houses/', { estate_id: 'a/b' })).toBe(
      '/api/v1/owner/estates/a%2Fb/houses/',
    )
    expect(() => fillPath('/api/v1/owner/estates/{estate_id}/houses/')).toThrow('estate_id')
  })

  it('types answers and bodies from the document', async () => {
    const { api } = client()
    expectTypeOf(api.ownerProfile).returns.resolves.toEqualTypeOf<Schemas['OwnerProfileAnswer']>()
    expectTypeOf(api.ownerHouses).returns.resolves.toEqualTypeOf<Schemas['OwnerHouseEntry'][]>()
    expectTypeOf(api.smsLogin).returns.resolves.toEqualTypeOf<Schemas['TokenResponse']>()
    expectTypeOf<Answer<'/api/v1/owner/bindings/', 'post'>>().toEqualTypeOf<Schemas['Binding']>()
    expectTypeOf<Body<'/api/v1/owner/profile/', 'patch'>>().toEqualTypeOf<Schemas['PatchedOwnerProfileRequest']>()
    // @ts-expect-error a field the document does not have
    await api.updateOwnerContact({ mobile: '13800138000' })
    // @ts-expect-error the binding needs a house (id and relation, or its code)
    await api.createBinding({ name: '张三' })
  })
})
