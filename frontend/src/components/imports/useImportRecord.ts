import { computed, ref, type MaybeRefOrGetter } from 'vue'

import { importsApi, type ImportRecord } from '@/api/basicData'
import { usePolling } from '@/composables/usePolling'
import { notifyError } from '@/utils/message'

import { IMPORT_BUSY as BUSY } from './labels'

/**
 * The import on show, kept fresh until it settles. The import is what is polled (it embeds its
 * job's progress): its status, not the job's, says when the findings are there to show, and an
 * import someone else started is readable where their job is not.
 *
 * `onSettled` is called once when the import on show reaches a final status (after a job, or
 * straight from the commit's answer when the worker was quicker than the first poll).
 */
export function useImportRecord(options: {
  interval: MaybeRefOrGetter<number>
  onSettled: (record: ImportRecord) => void
}) {
  const current = ref<ImportRecord | null>(null)
  const busy = computed(() => !!current.value && BUSY.has(current.value.status))

  const polling = usePolling(() => importsApi.get(current.value?.id ?? 0), {
    interval: options.interval,
    maxFailures: 10,
    isDone: (record) => !BUSY.has(record.status),
    onData: show,
    onError: notifyError,
  })

  /** Show `record`; announce it when it has just reached a final status. */
  function show(record: ImportRecord) {
    const before = current.value?.id === record.id ? current.value.status : undefined
    current.value = record
    if (before !== undefined && before !== record.status && !BUSY.has(record.status)) {
      options.onSettled(record)
    }
  }

  /** Show an import the server just answered with; watch it while a job works on it. */
  function track(record: ImportRecord) {
    show(record)
    if (BUSY.has(record.status)) polling.start()
    else polling.stop()
  }

  /** Read the import on show again now (and keep watching it if it is busy). */
  function refresh() {
    if (current.value) polling.start({ immediate: true })
  }

  /** Show an import picked from the history (a list row carries no problems: read it whole). */
  function open(record: ImportRecord) {
    show(record)
    refresh()
  }

  return { current, busy, show, track, refresh, open }
}
