import { computed } from 'vue'
import { useI18n } from 'vue-i18n'

import {
  HOUSE_STATUSES,
  HOUSE_USES,
  RELATIONS,
  REVIEW_STATUSES,
  type HouseStatus,
  type ReviewStatus,
} from '@/api/basicData'
import type { FilterOption } from '@/components/types'

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const HOUSE_STATUS_TAG: Record<HouseStatus, TagType> = {
  unsold: 'info',
  vacant: 'warning',
  occupied: 'success',
  renting: 'primary',
  decorating: 'danger',
}

export const REVIEW_STATUS_TAG: Record<ReviewStatus, TagType> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'danger',
}

/** Labels of the choice fields of basic data; a value the client does not know is shown as is. */
export function useBasicDataLabels() {
  const { t, te } = useI18n()
  const label = (group: string) => (value: string | null | undefined) => {
    if (!value) return '—'
    const key = `basicData.${group}.${value}`
    return te(key) ? t(key) : value
  }
  const useLabel = label('use')
  const statusLabel = label('status')
  const relationLabel = label('relation')
  const reviewStatusLabel = label('reviewStatus')
  const documentTypeLabel = label('documentType')
  const genderLabel = (value: string | null | undefined) =>
    value ? label('gender')(value) : t('basicData.gender.unknown')

  const options = (values: readonly string[], of: (v: string) => string): FilterOption[] =>
    values.map((value) => ({ value, label: of(value) }))

  return {
    useLabel,
    statusLabel,
    relationLabel,
    reviewStatusLabel,
    genderLabel,
    documentTypeLabel,
    useOptions: computed(() => options(HOUSE_USES, useLabel)),
    statusOptions: computed(() => options(HOUSE_STATUSES, statusLabel)),
    relationOptions: computed(() => options(RELATIONS, relationLabel)),
    reviewStatusOptions: computed(() => options(REVIEW_STATUSES, reviewStatusLabel)),
  }
}

/** Today in Asia/Shanghai as YYYY-MM-DD (the default move-in date). */
export function todayInShanghai(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}
