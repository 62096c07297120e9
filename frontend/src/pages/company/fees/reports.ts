/** Figures of the billing reports as the pages show them (decimal strings in, never floats kept). */
import type { CollectionLine } from '@/api/fees'

/**
 * "0.9512" → 95.12 (a chart value; the rate has 4 places, so the percent has at most 2 and the
 * string arithmetic below is exact). null stays null: nothing was due.
 */
export function ratePercent(rate: string | null): number | null {
  if (rate === null) return null
  const match = /^(\d+)(?:\.(\d{0,4}))?$/.exec(rate.trim())
  if (!match) return null
  const basisPoints = Number(match[1]) * 10000 + Number((match[2] ?? '').padEnd(4, '0'))
  return basisPoints / 100
}

export function rateText(rate: string | null): string {
  const percent = ratePercent(rate)
  return percent === null ? '—' : `${percent.toFixed(2)}%`
}

/** Nothing due in any month: the honest empty state instead of a chart of zeros. */
export function nothingDue(series: readonly CollectionLine[]): boolean {
  return series.every((line) => line.charges === 0 && /^0*(?:\.0*)?$/.test(line.due))
}
