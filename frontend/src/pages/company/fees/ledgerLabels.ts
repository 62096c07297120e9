import { useI18n } from 'vue-i18n'

import type { Charge } from '@/api/ledger'
import type { FilterOption, TableColumn } from '@/components/types'
import { formatYuan } from '@/utils/format'

export type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** A refund to the original online channel: where it stands (blank: not such a refund). */
export const CHANNEL_STATUS_TAG: Record<string, TagType> = {
  processing: 'warning',
  refunded: 'success',
  failed: 'danger',
}

export const PAYOUT_STATUS_TAG: Record<string, TagType> = {
  refunding: 'warning',
  refunded: 'success',
  refund_failed: 'danger',
}

export const CHARGE_STATUS_TAG: Record<string, TagType> = {
  unpaid: 'warning',
  partial: 'primary',
  overdue: 'danger',
  paid: 'success',
}

export const REQUEST_STATUS_TAG: Record<string, TagType> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'info',
}

/** Labels of the ledger's choice fields (`ledger.<group>.<value>`); an unknown value shows as is. */
export function useLedgerLabels() {
  const { t, te } = useI18n()
  const label = (group: string) => (value: string | number | null | undefined) => {
    if (value === null || value === undefined || value === '') return '—'
    const key = `ledger.${group}.${value}`
    return te(key) ? t(key) : String(value)
  }
  const options = <V extends string | number>(
    values: readonly V[],
    of: (v: V) => string,
  ): (FilterOption & { value: V })[] => values.map((value) => ({ value, label: of(value) }))
  return {
    method: label('method'),
    chargeStatus: label('chargeStatus'),
    chargeKind: label('chargeKind'),
    waiverKind: label('waiverKind'),
    refundSource: label('refundSource'),
    requestStatus: label('requestStatus'),
    channelStatus: label('channelStatus'),
    payoutStatus: label('payoutStatus'),
    entryKind: label('entryKind'),
    options,
  }
}

/** A charge's net and what was paid of it, as every list of charges shows them (账单, the house page). */
export function chargeNetPaidColumns<Row extends Charge>(
  t: (key: string) => string,
): TableColumn<Row>[] {
  return [
    {
      prop: 'net',
      label: t('ledger.bills.net'),
      minWidth: 90,
      formatter: (row) => formatYuan(row.net),
    },
    {
      prop: 'paid',
      label: t('ledger.bills.paid'),
      minWidth: 90,
      formatter: (row) => formatYuan(row.paid),
    },
  ]
}

/** `2026-01-01` + `2026-02-01` (half-open) → `2026-01-01 ~ 2026-01-31`. */
export function periodText(start: string, end: string): string {
  if (!start || !end) return '—'
  const last = new Date(`${end}T00:00:00Z`)
  last.setUTCDate(last.getUTCDate() - 1)
  return `${start} ~ ${last.toISOString().slice(0, 10)}`
}
