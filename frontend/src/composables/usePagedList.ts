import { onMounted, ref, shallowRef } from 'vue'

import { errorMessage } from '@/utils/message'

/** One page of a server-paged list, as the list endpoints answer. */
export interface PagedAnswer<T> {
  results: T[]
  count: number
}

/**
 * A server-paged list: the rows of the current page, how many there are in all, and which page it
 * is. Fetched when the component mounts, again by `onPage` (the pager's `current-change`) and by
 * `load()` (after a write, or when a filter the fetch reads has changed). An answer overtaken by a
 * newer fetch is dropped, so a slow page never overwrites the one asked for last; a failure keeps
 * the rows in hand and says why in `error`.
 */
export function usePagedList<T>(fetch: (page: number) => Promise<PagedAnswer<T>>) {
  const items = shallowRef<T[]>([])
  const count = ref(0)
  const page = ref(1)
  const loading = ref(false)
  const error = ref('')
  let generation = 0

  async function load() {
    const mine = ++generation
    loading.value = true
    error.value = ''
    try {
      const data = await fetch(page.value)
      if (mine !== generation) return
      items.value = data.results
      count.value = data.count
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Go to page `next` and fetch it. */
  function onPage(next: number) {
    page.value = next
    void load()
  }

  onMounted(load)
  return { items, count, page, loading, error, load, onPage }
}
