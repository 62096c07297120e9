import type { FormInstance } from 'element-plus'
import { onMounted, ref, type Ref } from 'vue'

import { ApiError } from '@/api/http'
import { applyServerErrors } from '@/utils/forms'
import { errorMessage } from '@/utils/message'

/**
 * A settings page's form: what is saved is read when the page opens (the form stays disabled while
 * `loading`, so nothing typed meanwhile is overwritten), and `save` checks the form, sends it, and
 * fills the form from the answer — or puts the server's field errors under their fields (the rest,
 * and any other failure, in `error`).
 */
export function useSettingsForm<T>(options: {
  formRef: Ref<FormInstance | undefined>
  load: () => Promise<T>
  fill: (saved: T) => void
}) {
  const loading = ref(true)
  const saving = ref(false)
  const error = ref('')

  onMounted(async () => {
    try {
      options.fill(await options.load())
    } catch (e) {
      error.value = errorMessage(e)
    } finally {
      loading.value = false
    }
  })

  /** Check, send, fill; `done` runs with the answer once saved. */
  async function save(send: () => Promise<T>, done?: (saved: T) => void) {
    error.value = ''
    const valid = await options.formRef.value?.validate().catch(() => false)
    if (!valid) return
    saving.value = true
    try {
      const saved = await send()
      options.fill(saved)
      done?.(saved)
    } catch (e) {
      error.value =
        e instanceof ApiError && e.hasFieldErrors
          ? applyServerErrors(options.formRef.value, e.fields).join('；')
          : errorMessage(e)
    } finally {
      saving.value = false
    }
  }

  return { loading, saving, error, save }
}
