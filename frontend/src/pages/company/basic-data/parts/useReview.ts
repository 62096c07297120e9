import { computed, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { useAuthStore } from '@/stores/auth'
import { toast } from '@/utils/message'

/**
 * Approve / reject-with-reason for a review list (binding requests, profile corrections):
 * the decision goes to the server, then the list reloads so the row leaves "pending".
 */
export function useReview(options: {
  approve: (id: number) => Promise<unknown>
  reject: (id: number, reason: string) => Promise<unknown>
  table: Ref<{ reload: () => unknown } | undefined>
}) {
  const { t } = useI18n()
  const auth = useAuthStore()
  const canDecide = computed(() => auth.hasPermission('basic_data.manage'))
  const rejectOpen = ref(false)
  const rejecting = ref<number | null>(null)

  async function approve(id: number) {
    await options.approve(id)
    toast.success(t('basicData.review.approved'))
    void options.table.value?.reload()
  }

  function openReject(id: number) {
    rejecting.value = id
    rejectOpen.value = true
  }

  async function reject(reason: string) {
    if (rejecting.value === null) return
    return options.reject(rejecting.value, reason)
  }

  function onRejected() {
    toast.success(t('basicData.review.rejected'))
    void options.table.value?.reload()
  }

  return { canDecide, rejectOpen, approve, openReject, reject, onRejected }
}
