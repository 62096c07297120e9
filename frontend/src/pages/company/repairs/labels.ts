import { useI18n } from 'vue-i18n'

import type { RepairCategory, RepairOrder } from '@/api/repairs'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

const STATUS_TAGS: Record<string, TagType> = {
  submitted: 'danger',
  dispatched: 'warning',
  accepted: 'primary',
  in_progress: 'primary',
  completed: 'success',
  confirmed: 'success',
  closed: 'info',
  cancelled: 'info',
}

const URGENCY_TAGS: Record<string, TagType> = { normal: 'info', urgent: 'warning', emergency: 'danger' }

/** Where an order is: the house, or the estate and the public location. */
export function placeOf(order: Pick<RepairOrder, 'house_label' | 'estate_name' | 'location'>): string {
  return order.house_label
    ? `${order.estate_name} ${order.house_label}`
    : `${order.estate_name} ${order.location}`.trim()
}

/** Top categories, each followed by its children (the order a picker and the settings table show). */
export function categoryTree(categories: readonly RepairCategory[]) {
  const tops = categories.filter((c) => c.parent === null)
  return tops.map((top) => ({ ...top, children: categories.filter((c) => c.parent === top.id) }))
}

/**
 * Names of statuses, urgencies, dispatch modes, scopes and timeline steps; a value this build does
 * not know (added on the server later) is shown as the server sent it rather than hidden.
 */
export function useRepairLabels() {
  const { t, te } = useI18n()
  const known = (key: string, value: string) => (te(key) ? t(key) : value)
  return {
    status: (status: string) => known(`repairs.statuses.${status}`, status),
    statusTag: (status: string): TagType => STATUS_TAGS[status] ?? 'info',
    urgency: (urgency: string) => known(`repairs.urgencies.${urgency}`, urgency),
    urgencyTag: (urgency: string): TagType => URGENCY_TAGS[urgency] ?? 'info',
    mode: (mode: string) => known(`repairs.modes.${mode}`, mode),
    scope: (scope: string) => known(`repairs.scopes.${scope}`, scope),
    transition: (name: string) => known(`repairs.transitions.${name}`, name),
  }
}
