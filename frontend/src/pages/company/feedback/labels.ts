import { useI18n } from 'vue-i18n'

import type { FeedbackKind, FeedbackStatus } from '@/api/feedback'

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'

const STATUS_TAGS: Record<FeedbackStatus, TagType> = {
  submitted: 'warning',
  assigned: 'primary',
  replied: 'success',
  resolved: 'success',
  closed: 'info',
  withdrawn: 'info',
}
const KIND_TAGS: Record<FeedbackKind, TagType> = {
  complaint: 'danger',
  suggestion: 'primary',
  consultation: 'info',
  praise: 'success',
}

/** Labels and tag colours of feedback kinds, statuses and timeline steps, in the current language. */
export function useFeedbackLabels() {
  const { t } = useI18n()
  return {
    kind: (kind: string) => t(`feedback.kinds.${kind}`),
    kindTag: (kind: string) => KIND_TAGS[kind as FeedbackKind] ?? 'info',
    status: (status: string) => t(`feedback.statuses.${status}`),
    statusTag: (status: string) => STATUS_TAGS[status as FeedbackStatus] ?? 'info',
    transition: (name: string) => t(`feedback.transitions.${name}`),
  }
}
