import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'

import { ApiError } from '@/api/http'

import { usePagedList, type PagedAnswer } from '../usePagedList'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const pageOf = (page: number): PagedAnswer<string> => ({ results: [`row ${page}`], count: 45 })

function host(fetch: (page: number) => Promise<PagedAnswer<string>>) {
  let state!: ReturnType<typeof usePagedList<string>>
  mount(
    defineComponent({
      setup() {
        state = usePagedList(fetch)
        return () => h('div')
      },
    }),
  )
  return () => state
}

describe('usePagedList', () => {
  it('loads the first page on mount and another on a page change', async () => {
    const asked: number[] = []
    const state = host(async (page) => {
      asked.push(page)
      return pageOf(page)
    })
    await flushPromises()
    expect(state().items.value).toEqual(['row 1'])
    expect(state().count.value).toBe(45)
    state().onPage(3)
    expect(state().page.value).toBe(3)
    expect(state().loading.value).toBe(true)
    await flushPromises()
    expect(asked).toEqual([1, 3])
    expect(state().items.value).toEqual(['row 3'])
    expect(state().loading.value).toBe(false)
  })

  it('drops a slow page overtaken by a newer one', async () => {
    const answers = new Map([1, 2, 3].map((page) => [page, deferred<PagedAnswer<string>>()]))
    const state = host((page) => answers.get(page)!.promise)
    answers.get(1)!.resolve(pageOf(1))
    await flushPromises()
    state().onPage(2)
    state().onPage(3)
    answers.get(3)!.resolve(pageOf(3))
    await flushPromises()
    answers.get(2)!.resolve({ results: ['stale row 2'], count: 99 })
    await flushPromises()
    expect(state().page.value).toBe(3)
    expect(state().items.value).toEqual(['row 3'])
    expect(state().count.value).toBe(45)
    expect(state().loading.value).toBe(false)
  })

  it('keeps loading while the newest fetch is out, whatever an older one does', async () => {
    const answers = new Map([1, 2, 3].map((page) => [page, deferred<PagedAnswer<string>>()]))
    const state = host((page) => answers.get(page)!.promise)
    answers.get(1)!.resolve(pageOf(1))
    await flushPromises()
    state().onPage(2)
    state().onPage(3)
    answers.get(2)!.reject(new ApiError(503, 'http_503', '服务暂不可用', {}))
    await flushPromises()
    expect(state().loading.value).toBe(true)
    expect(state().error.value).toBe('')
    answers.get(3)!.resolve(pageOf(3))
    await flushPromises()
    expect(state().loading.value).toBe(false)
    expect(state().items.value).toEqual(['row 3'])
  })

  it('says why a fetch failed, keeps the rows in hand, and clears the error on the next load', async () => {
    let fail = false
    const state = host(async (page) => {
      if (fail) throw new ApiError(503, 'http_503', '服务暂不可用', {})
      return pageOf(page)
    })
    await flushPromises()
    fail = true
    state().onPage(2)
    await flushPromises()
    expect(state().error.value).toContain('服务暂不可用')
    expect(state().loading.value).toBe(false)
    expect(state().items.value).toEqual(['row 1'])
    fail = false
    void state().load()
    expect(state().error.value).toBe('')
    await flushPromises()
    expect(state().items.value).toEqual(['row 2'])
  })
})
