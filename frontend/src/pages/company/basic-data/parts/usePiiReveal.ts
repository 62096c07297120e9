import { computed, reactive, ref } from 'vue'

import { residentsApi, type PiiField } from '@/api/basicData'
import { useAuthStore } from '@/stores/auth'
import { notifyError } from '@/utils/message'

/**
 * Full phone / ID numbers revealed on one page. Each reveal is a POST the server audits; the
 * values live only in this page's memory (never stored), so they are gone on leaving the page
 * or signing out, and a new look needs a new, audited reveal.
 */
export function usePiiReveal() {
  const auth = useAuthStore()
  const canReveal = computed(() => auth.hasPermission('pii.reveal'))
  const values = reactive(new Map<string, string>())
  const busy = ref<string | null>(null)

  const key = (person: number, field: PiiField) => `${person}:${field}`

  async function reveal(person: number, field: PiiField) {
    const k = key(person, field)
    busy.value = k
    try {
      const { value } = await residentsApi.reveal(person, field)
      values.set(k, value)
    } catch (error) {
      notifyError(error)
    } finally {
      if (busy.value === k) busy.value = null
    }
  }

  return {
    canReveal,
    revealed: (person: number, field: PiiField) => values.get(key(person, field)),
    isBusy: (person: number, field: PiiField) => busy.value === key(person, field),
    reveal,
  }
}

export type PiiReveal = ReturnType<typeof usePiiReveal>
