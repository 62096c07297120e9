/**
 * A list the server pages (DRF's {count, next, results}): the first page on `load` (a reload keeps
 * what is shown until the answer comes), the next one appended on `loadMore` (the page's
 * onReachBottom), rows already listed skipped (a row added meanwhile shifts pages by one), and an
 * answer that arrives after a newer load or a reset dropped.
 */
import { reactive } from 'vue'
import { messageOf } from './detailMoves'

export interface Page<T> {
  count: number
  next?: string | null
  results: T[]
}

export interface PagerState<T> {
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string
  items: T[]
  count: number
  page: number
  hasMore: boolean
  loadingMore: boolean
}

export function createPager<T extends { id: number }>(fetchPage: (page: number) => Promise<Page<T>>) {
  const state = reactive({
    status: 'idle',
    error: '',
    items: [],
    count: 0,
    page: 0,
    hasMore: false,
    loadingMore: false,
  }) as PagerState<T>
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    if (state.status !== 'ready') state.status = 'loading'
    try {
      const page = await fetchPage(1)
      if (gen !== generation) return
      Object.assign(state, {
        items: [...page.results],
        count: page.count,
        page: 1,
        hasMore: !!page.next,
        status: 'ready',
        error: '',
      })
    } catch (err) {
      if (gen !== generation) return
      state.error = messageOf(err)
      if (state.page === 0) state.status = 'error'
    }
  }

  async function loadMore(): Promise<void> {
    if (state.status !== 'ready' || !state.hasMore || state.loadingMore) return
    const gen = generation
    state.loadingMore = true
    try {
      const page = await fetchPage(state.page + 1)
      if (gen !== generation) return
      const seen = new Set(state.items.map((row) => row.id))
      state.items = [...state.items, ...page.results.filter((row) => !seen.has(row.id))]
      state.count = page.count
      state.page += 1
      state.hasMore = !!page.next
      state.error = ''
    } catch (err) {
      if (gen === generation) state.error = messageOf(err)
    } finally {
      if (gen === generation) state.loadingMore = false
    }
  }

  /** Change rows in place (a read flag), keeping the pages loaded. */
  function update(change: (row: T) => T): void {
    state.items = state.items.map(change)
  }

  function reset(): void {
    generation += 1
    Object.assign(state, { status: 'idle', error: '', items: [], count: 0, page: 0, hasMore: false, loadingMore: false })
  }

  return { state, load, loadMore, update, reset }
}

export type Pager<T extends { id: number }> = ReturnType<typeof createPager<T>>
