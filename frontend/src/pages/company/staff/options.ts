import { computed, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'

import {
  departmentsApi,
  postsApi,
  shiftsApi,
  type Department,
  type Post,
  type Shift,
} from '@/api/staff'
import type { FilterOption, TableColumn, TableFilter } from '@/components/types'
import { useMonthReport } from '@/composables/useMonthReport'
import { notifyError } from '@/utils/message'

/** Departments, posts and shifts for the selects and filters of the staff pages. */
export function useStaffOptions() {
  const departments = ref<Department[]>([])
  const posts = ref<Post[]>([])
  const shifts = ref<Shift[]>([])

  async function load() {
    try {
      const [d, p, s] = await Promise.all([departmentsApi.all(), postsApi.all(), shiftsApi.all()])
      departments.value = d
      posts.value = p
      shifts.value = s
    } catch (error) {
      notifyError(error)
    }
  }

  /** "工程部 / 维修班" for a department under another. */
  const departmentLabel = (d: Department) =>
    d.parent_name ? `${d.parent_name} / ${d.name}` : d.name

  const departmentOptions = computed<FilterOption[]>(() =>
    departments.value.map((d) => ({ label: departmentLabel(d), value: d.id })),
  )
  const postOptions = computed<FilterOption[]>(() =>
    posts.value.map((p) => ({ label: p.name, value: p.id })),
  )
  const shiftOptions = computed<FilterOption[]>(() =>
    shifts.value.map((s) => ({ label: `${s.name} ${s.start_time}–${s.end_time}`, value: s.id })),
  )

  return { departments, posts, shifts, load, departmentOptions, postOptions, shiftOptions }
}

/** What the departments, posts and shifts panels share in `useCrudPanel`. */
export const STAFF_CRUD = {
  permission: 'staff.manage',
  deletedMessage: 'staffPages.deleted',
} as const

/** 工号 and 姓名: the first columns of the per-person lists, sorted on the server. */
export function personColumns<Row>(t: (key: string) => string): TableColumn<Row>[] {
  return [
    { prop: 'employee_no', label: t('staffPages.profiles.employeeNo'), sortable: true, width: 110 },
    {
      prop: 'name',
      label: t('staffPages.profiles.name'),
      sortable: true,
      sortField: 'user__name',
      minWidth: 100,
    },
  ]
}

/** Search and 部门, the filters every per-person list starts with, then the list's own `more`. */
export function usePersonFilters(
  departmentOptions: Ref<FilterOption[]>,
  more: () => TableFilter[] = () => [],
) {
  const { t } = useI18n()
  return computed<TableFilter[]>(() => [
    {
      key: 'search',
      label: t('common.search'),
      type: 'text',
      placeholder: t('staffPages.profiles.searchPlaceholder'),
    },
    {
      key: 'department',
      label: t('staffPages.profiles.department'),
      type: 'select',
      options: departmentOptions.value,
    },
    ...more(),
  ])
}

/** A per-person report by month (考勤月报, 绩效): its month, endpoint, export name and filters. */
export function useStaffMonthReport(path: string, exportPrefix: string) {
  const options = useStaffOptions()
  void options.load()
  return {
    ...useMonthReport(path, exportPrefix),
    filters: usePersonFilters(options.departmentOptions),
  }
}

/** Yes/no options for boolean filters, as the API reads them. */
export function useBooleanOptions(yes: string, no: string) {
  return computed<FilterOption[]>(() => [
    { label: yes, value: 'true' },
    { label: no, value: 'false' },
  ])
}

/** 周一、周三 … for ISO weekdays. */
export function useWeekdayNames() {
  const { t } = useI18n()
  return (days: number[]) => days.map((d) => t(`staffPages.weekdays.${d}`)).join('、')
}

/** The `HH:mm` of an ISO timestamp in Beijing time, or '—'. */
export function timeOf(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '—'
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date)
}
