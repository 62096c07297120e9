import { useI18n } from 'vue-i18n'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

const KIND_TAGS: Record<string, TagType> = {
  outage: 'danger',
  safety: 'warning',
  activity: 'success',
  general: 'info',
}
const STATUS_TAGS: Record<string, TagType> = {
  draft: 'info',
  scheduled: 'warning',
  published: 'success',
  withdrawn: 'info',
}

/** Names of kinds, statuses and targets; a value this build does not know is shown as sent. */
export function useNoticeLabels() {
  const { t, te } = useI18n()
  const known = (key: string, value: string) => (te(key) ? t(key) : value)
  return {
    kind: (kind: string) => known(`notices.kinds.${kind}`, kind),
    kindTag: (kind: string): TagType => KIND_TAGS[kind] ?? 'info',
    status: (status: string) => known(`notices.statuses.${status}`, status),
    statusTag: (status: string): TagType => STATUS_TAGS[status] ?? 'info',
    target: (target: string) => known(`notices.targets.${target}`, target),
  }
}
