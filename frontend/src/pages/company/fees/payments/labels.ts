import { useI18n } from 'vue-i18n'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

const STATUS_TAGS: Record<string, TagType> = {
  created: 'info',
  pending: 'warning',
  paid: 'success',
  failed: 'danger',
  closed: 'info',
  partially_refunded: 'warning',
  refunded: 'info',
}

const REFUND_TAGS: Record<string, TagType> = {
  pending: 'warning',
  approved: 'primary',
  rejected: 'info',
  refunding: 'warning',
  processing: 'warning',
  refunded: 'success',
  refund_failed: 'danger',
  failed: 'danger',
  closed: 'info',
}

/**
 * Names of statuses, gateways, settlements and event sources; a value this build does not know
 * (a gateway added on the server later) is shown as the server sent it rather than hidden.
 */
export function usePaymentLabels() {
  const { t, te } = useI18n()
  const known = (key: string, value: string) => (te(key) ? t(key) : value)
  return {
    status: (status: string) => known(`payments.statuses.${status}`, status),
    statusTag: (status: string): TagType => STATUS_TAGS[status] ?? 'info',
    gateway: (gateway: string) => known(`payments.gateways.${gateway}`, gateway),
    settlement: (settlement: string) =>
      known(`payments.settlements.${settlement || 'none'}`, settlement),
    source: (source: string) => known(`payments.sources.${source}`, source),
    /** A refund request's status (the purpose's: pending, approved… — new ones shown as sent). */
    refundStatus: (status: string) => known(`payments.refunds.statuses.${status}`, status),
    /** A channel refund's status (processing, refunded, failed, closed). */
    channelStatus: (status: string) => known(`payments.refunds.channelStatuses.${status}`, status),
    refundTag: (status: string): TagType => REFUND_TAGS[status] ?? 'info',
  }
}
