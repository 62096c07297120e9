/**
 * Labels of imports (any kind: houses, residents, meter readings), shared by every page that
 * imports through the import framework (/api/v1/imports/).
 */
import { useI18n } from 'vue-i18n'

import type { ImportKind, ImportStatus } from '@/api/basicData'

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const IMPORT_STATUS_TAG: Record<ImportStatus, TagType> = {
  validating: 'primary',
  invalid: 'danger',
  ready: 'success',
  committing: 'primary',
  done: 'success',
  failed: 'danger',
}

/** States in which a job is working on an import and the page keeps watching it. */
export const IMPORT_BUSY: ReadonlySet<ImportStatus> = new Set(['validating', 'committing'])

/**
 * Counts a kind adds to rows/create/update/unchanged/errors, shown under them (`imports.extraCounts`):
 * what a fee history or arrears file posts to the ledger, what an HC workbook brings over (houses,
 * people, relations ended, fees) and what it leaves out.
 */
export const IMPORT_EXTRA_COUNTS: Partial<Record<ImportKind, readonly string[]>> = {
  fee_history: [
    'charges',
    'payments',
    'assignments_created',
    'assignments_moved',
    'vehicles_not_imported',
  ],
  fee_arrears: ['charges', 'assignments_created', 'assignments_moved'],
  hc_assets: [
    'houses_create',
    'residents_create',
    'ended',
    'fee_items_create',
    'fee_assignments_create',
    'fee_items_not_imported',
    'unsold_with_people',
    'parking_spaces',
  ],
}

/** A kind or status the client does not know is shown as the server sent it. */
export function useImportLabels() {
  const { t, te } = useI18n()
  const label = (group: 'kinds' | 'statuses') => (value: string | null | undefined) => {
    if (!value) return '—'
    const key = `imports.${group}.${value}`
    return te(key) ? t(key) : value
  }
  return {
    kindLabel: label('kinds') as (value: ImportKind | string | null | undefined) => string,
    statusLabel: label('statuses') as (value: ImportStatus | string | null | undefined) => string,
  }
}
