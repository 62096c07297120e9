/**
 * stores/pager.ts: the first page, the next appended without repeats, a failed next page keeping
 * what is shown, and an answer overtaken by a reset or a newer load dropped.
 */
import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { createPager, type Page } from '@/stores/pager'

type Row = { id: number }
const rows = (...ids: number[]): Row[] => ids.map((id) => ({ id }))
const page = (results: Row[], next: boolean, count = 5): Page<Row> => ({ count, next: next ? 'more' : null, results })

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('createPager', () => {
  it('loads the first page, appends the next without repeats and stops at the last', async () => {
    const pages: Record<number, Page<Row>> = { 1: page(rows(5, 4, 3), true), 2: page(rows(3, 2, 1), false) }
    const pager = createPager<Row>(async (n) => pages[n]!)
    await pager.load()
    expect(pager.state.items.map((r) => r.id)).toEqual([5, 4, 3])
    expect(pager.state.hasMore).toBe(true)
    await pager.loadMore()
    expect(pager.state.items.map((r) => r.id)).toEqual([5, 4, 3, 2, 1])
    expect(pager.state.hasMore).toBe(false)
    await pager.loadMore() // nothing more: no request
    expect(pager.state.page).toBe(2)
  })

  it('keeps the rows shown when the next page fails, and says why', async () => {
    let fail = true
    const pager = createPager<Row>(async (n) => {
      if (n === 2 && fail) throw new ApiError(503, 'http_503', '服务器繁忙')
      return n === 1 ? page(rows(2), true) : page(rows(1), false)
    })
    await pager.load()
    await pager.loadMore()
    expect(pager.state.items.map((r) => r.id)).toEqual([2])
    expect(pager.state.error).toBe('服务器繁忙')
    expect(pager.state.status).toBe('ready')
    fail = false
    await pager.loadMore()
    expect(pager.state.items.map((r) => r.id)).toEqual([2, 1])
    expect(pager.state.error).toBe('')
  })

  it('drops an answer that a reset or a newer load overtook', async () => {
    const slow = deferred<Page<Row>>()
    let calls = 0
    const pager = createPager<Row>(() => (++calls === 1 ? slow.promise : Promise.resolve(page(rows(9), false))))
    const first = pager.load()
    pager.reset()
    await pager.load()
    slow.resolve(page(rows(1, 2), true))
    await first
    expect(pager.state.items.map((r) => r.id)).toEqual([9])
    expect(pager.state.hasMore).toBe(false)
  })
})
