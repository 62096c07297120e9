import { useI18n } from 'vue-i18n'

import type { FilterOption } from '@/components/types'

export type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const READING_STATUS_TAG: Record<string, TagType> = {
  ok: 'success',
  held: 'warning',
  approved: 'primary',
  rejected: 'danger',
}

/** Today in Asia/Shanghai as YYYY-MM-DD (the server's business day, whatever the PC's zone). */
export function todayIso(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}

/** Labels of the choice fields of fees; a value the client does not know is shown as is. */
export function useFeeLabels() {
  const { t, te } = useI18n()
  const label = (group: string) => (value: string | number | null | undefined) => {
    if (value === null || value === undefined || value === '') return '—'
    const key = `fees.${group}.${value}`
    return te(key) ? t(key) : String(value)
  }
  const options = <V extends string | number>(
    values: readonly V[],
    of: (v: V) => string,
  ): (FilterOption & { value: V })[] => values.map((value) => ({ value, label: of(value) }))
  return {
    kind: label('kind'),
    mode: label('mode'),
    cycle: label('cycle'),
    timing: label('timing'),
    timingShort: label('timingShort'),
    dueRule: label('dueRule'),
    rounding: label('rounding'),
    roundingPlace: label('roundingPlace'),
    timeUnit: label('timeUnit'),
    meterKind: label('meterKind'),
    register: label('register'),
    readingStatus: label('readingStatus'),
    readingSource: label('readingSource'),
    splitBy: label('splitBy'),
    lateFee: label('lateFee'),
    options,
  }
}
