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

const ORDER_TAGS: Record<string, TagType> = {
  unpaid: 'info',
  booked: 'warning',
  confirmed: 'primary',
  in_service: 'primary',
  done: 'success',
  rated: 'success',
  cancelled: 'danger',
}

/**
 * Names of admission statuses, vendor kinds, document kinds, offering kinds, price modes and order
 * statuses, and a commission as a percent —
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
    offeringKind: (kind: string) => known(`partners.offeringKinds.${kind}`, kind),
    priceMode: (mode: string) => known(`partners.priceModes.${mode}`, mode),
    orderStatus: (status: string) => known(`partners.orderStatuses.${status}`, status),
    orderStatusTag: (status: string): TagType => ORDER_TAGS[status] ?? 'info',
    /** "0.0825" → "8.25%". */
    commission: (rate: string | null | undefined) => {
      const percent = fractionToPercent(rate)
      return percent ? t('partners.percent', { value: percent }) : '—'
    },
  }
}
