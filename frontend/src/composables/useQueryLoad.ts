import { onMounted, ref, shallowRef, watch, type Ref } from 'vue'

import { errorMessage } from '@/utils/message'

/**
 * What a page shows for a query (its filters): fetched when the page opens and again whenever the
 * query changes. An answer to a query the filters have since left is dropped, so a slow answer
 * never overwrites a newer one; a failure clears the figures and says why in `error`.
 */
export function useQueryLoad<Q, T>(query: Ref<Q>, fetch: (query: Q) => Promise<T>) {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = ref('')
  let generation = 0

  async function load() {
    const mine = ++generation
    loading.value = true
    error.value = ''
    try {
      const answer = await fetch(query.value)
      if (mine === generation) data.value = answer
    } catch (e) {
      if (mine !== generation) return
      data.value = null
      error.value = errorMessage(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  onMounted(load)
  watch(query, load)
  return { data, loading, error, load }
}
