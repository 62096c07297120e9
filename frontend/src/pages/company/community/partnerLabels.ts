import { useI18n } from 'vue-i18n'

import { fractionToPercent } from '@/utils/percent'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

const STATUS_TAGS: Record<string, TagType> = {
  invited: 'info',
  applied: 'warning',
  approved: 'success',
  rejected: 'danger',
  suspended: 'danger',
}

/**
 * Names of admission statuses, vendor kinds and document kinds, and a commission as a percent —
 * shared by the company's 服务商准入 page and the partner portal. A value this build does not know
 * is shown as sent.
 */
export function usePartnerLabels() {
  const { t, te } = useI18n()
  const known = (key: string, value: string) => (te(key) ? t(key) : value)
  return {
    status: (status: string) => known(`partners.statuses.${status}`, status),
    statusTag: (status: string): TagType => STATUS_TAGS[status] ?? 'info',
    kind: (kind: string) => known(`partners.kinds.${kind}`, kind),
    documentKind: (kind: string) => known(`partners.documentKinds.${kind}`, kind),
    /** "0.0825" → "8.25%". */
    commission: (rate: string | null | undefined) => {
      const percent = fractionToPercent(rate)
      return percent ? t('partners.percent', { value: percent }) : '—'
    },
  }
}
