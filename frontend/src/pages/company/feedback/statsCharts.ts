import type { FeedbackStats } from '@/api/feedback'
import { FEEDBACK_KINDS } from '@/api/feedback'

/**
 * ECharts options of 投诉建议趋势, from the API's answer as it is: every month of the period on the
 * axis (a month without items is a zero, not a gap), a month without ratings draws no satisfaction.
 */
type Translate = (key: string, values?: Record<string, unknown>) => string
type Option = Record<string, unknown>

const grid = { left: 48, right: 16, top: 36, bottom: 32, containLabel: true }

/** 'YYYY-MM' of every month from `dateFrom` (the period's first day) through `today`'s month. */
export function monthsOf(dateFrom: string, today: Date = new Date()): string[] {
  const months: string[] = []
  let year = Number(dateFrom.slice(0, 4))
  let month = Number(dateFrom.slice(5, 7))
  const last = today.getFullYear() * 12 + today.getMonth()
  while (year * 12 + month - 1 <= last && months.length < 120) {
    months.push(`${year}-${String(month).padStart(2, '0')}`)
    month += 1
    if (month > 12) [year, month] = [year + 1, 1]
  }
  return months
}

/** Items filed per month, one stacked bar series per kind. */
export function byKindAndMonth(stats: FeedbackStats, months: string[], t: Translate): Option {
  const count = new Map(stats.by_month.map((r) => [`${r.month}|${r.kind}`, r.count]))
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', minInterval: 1 },
    series: FEEDBACK_KINDS.map((kind) => ({
      name: t(`feedback.kinds.${kind}`),
      type: 'bar',
      stack: 'kinds',
      barMaxWidth: 28,
      data: months.map((m) => count.get(`${m}|${kind}`) ?? 0),
    })),
  }
}

/** Per month: items answered late (bars) and the satisfaction average (a line, 1–5). */
export function lateAndSatisfaction(stats: FeedbackStats, months: string[], t: Translate): Option {
  const row = new Map(stats.monthly.map((r) => [r.month, r]))
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : String(v)),
    },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: months },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, max: 5 },
    ],
    series: [
      {
        name: t('feedback.stats.late'),
        type: 'bar',
        barMaxWidth: 28,
        data: months.map((m) => row.get(m)?.late ?? 0),
      },
      {
        name: t('feedback.stats.satisfaction'),
        type: 'line',
        yAxisIndex: 1,
        connectNulls: false,
        data: months.map((m) => row.get(m)?.satisfaction ?? null),
      },
    ],
  }
}
