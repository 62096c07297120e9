import { computed, ref } from 'vue'

import { monthOf, withQuery } from '@/api/staff'

/**
 * A report listed one month at a time. The month (this month in Beijing time at first) goes into
 * the endpoint rather than the table's filters, so DataTable reloads from page 1 when it changes
 * and its Excel export is always the month on screen, under a file name that says which month.
 */
export function useMonthReport(path: string, exportPrefix: string) {
  const month = ref(monthOf())
  const endpoint = computed(() => withQuery(path, { month: month.value }))
  const exportName = computed(() => `${exportPrefix}-${month.value}.xlsx`)
  return { month, endpoint, exportName }
}
