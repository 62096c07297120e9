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
  }
}
