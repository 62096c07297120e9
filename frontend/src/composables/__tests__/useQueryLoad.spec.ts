import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'

import { ApiError } from '@/api/http'

import { useQueryLoad } from '../useQueryLoad'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function host(fetch: (q: number) => Promise<string>) {
  const query = ref(1)
  let state!: ReturnType<typeof useQueryLoad<number, string>>
  const wrapper = mount(
    defineComponent({
      setup() {
        state = useQueryLoad(query, fetch)
        return () => h('div')
      },
    }),
  )
  return { query, state: () => state, wrapper }
}

describe('useQueryLoad', () => {
  it('loads on mount and again when the query changes', async () => {
    const asked: number[] = []
    const { query, state } = host(async (q) => {
      asked.push(q)
      return `answer ${q}`
    })
    await flushPromises()
    expect(state().data.value).toBe('answer 1')
    query.value = 2
    await flushPromises()
    expect(asked).toEqual([1, 2])
    expect(state().data.value).toBe('answer 2')
    expect(state().loading.value).toBe(false)
  })

  it('drops a slow answer to a query the filters have left', async () => {
    const first = deferred<string>()
    const { query, state } = host((q) => (q === 1 ? first.promise : Promise.resolve(`answer ${q}`)))
    query.value = 2
    await flushPromises()
    first.resolve('stale answer 1')
    await flushPromises()
    expect(state().data.value).toBe('answer 2')
  })

  it('clears the figures and says why when the fetch fails', async () => {
    let fail = false
    const { query, state } = host(async (q) => {
      if (fail) throw new ApiError(503, 'http_503', '服务暂不可用', {})
      return `answer ${q}`
    })
    await flushPromises()
    fail = true
    query.value = 3
    await flushPromises()
    expect(state().data.value).toBeNull()
    expect(state().error.value).toContain('服务暂不可用')
  })
})
