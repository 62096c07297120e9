import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { estatesApi, type TreeBuilding, type TreeEstate, type TreeUnit } from '@/api/basicData'
import { errorMessage } from '@/utils/message'

export type TreeNodeKind = 'estate' | 'building' | 'unit'

/** A node picked in the estate tree, with the ids above it. */
export interface TreeSelection {
  kind: TreeNodeKind
  id: number
  name: string
  estate: number
  building?: number
  unit?: number
}

/** House-list parameters for a selection: only the most specific level is needed. */
export function selectionQuery(selection: TreeSelection | null): Record<string, number> {
  if (!selection) return {}
  if (selection.kind === 'unit') return { unit: selection.id }
  if (selection.kind === 'building') return { building: selection.id }
  return { estate: selection.id }
}

/**
 * The estate → building → unit tree (GET /estates/tree/), shared by the pages of basic data:
 * the tree itself, the location pickers, and the floor check of the house form all read it,
 * and a change on the estates page reloads it once for all of them.
 */
export const useEstateTreeStore = defineStore('estateTree', () => {
  const estates = ref<TreeEstate[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')
  let pending: Promise<void> | null = null

  const buildings = computed(() => {
    const map = new Map<number, TreeBuilding & { estate: number; estate_name: string }>()
    for (const e of estates.value) {
      for (const b of e.buildings) map.set(b.id, { ...b, estate: e.id, estate_name: e.name })
    }
    return map
  })

  const units = computed(() => {
    const map = new Map<number, TreeUnit & { building: number; estate: number }>()
    for (const e of estates.value) {
      for (const b of e.buildings) {
        for (const u of b.units) map.set(u.id, { ...u, building: b.id, estate: e.id })
      }
    }
    return map
  })

  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve()
    // A forced reload follows a write: it must not be answered by a request sent before it.
    if (pending) return force ? pending.then(() => load(true)) : pending
    loading.value = true
    pending = estatesApi
      .tree()
      .then((data) => {
        estates.value = data
        loaded.value = true
        error.value = ''
      })
      .catch((e: unknown) => {
        error.value = errorMessage(e)
      })
      .finally(() => {
        loading.value = false
        pending = null
      })
    return pending
  }

  const reload = () => load(true)

  return { estates, loaded, loading, error, buildings, units, load, reload }
})
