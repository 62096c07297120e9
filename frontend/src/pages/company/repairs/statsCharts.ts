import type { RepairStats } from '@/api/repairs'

/**
 * ECharts options of 报修统计, one per figure, from the API's answer as it is (no figure made up:
 * a month without a due time has no SLA rate and draws none).
 */
type Translate = (key: string, values?: Record<string, unknown>) => string
type Option = Record<string, unknown>

const num = (value: string | null) => (value === null ? null : Number(value))
const month = (iso: string) => iso.slice(0, 7)

const grid = { left: 48, right: 16, top: 36, bottom: 32, containLabel: true }

/** Filed per month (every month of the range), finished per month of completion. */
export function volumeByMonth(stats: RepairStats, t: Translate): Option {
  const finished = new Map(stats.finished_by_month.map((m) => [m.month, m.finished]))
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: stats.by_month.map((m) => month(m.month)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('repairs.stats.filed'),
        type: 'bar',
        barMaxWidth: 28,
        data: stats.by_month.map((m) => m.count),
      },
      {
        name: t('repairs.stats.finished'),
        type: 'bar',
        barMaxWidth: 28,
        data: stats.by_month.map((m) => finished.get(m.month) ?? 0),
      },
    ],
  }
}

/** SLA met % and the average rating per month of completion. */
export function qualityByMonth(stats: RepairStats, t: Translate): Option {
  const rows = stats.finished_by_month
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : String(v)),
    },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: rows.map((m) => month(m.month)) },
    yAxis: [
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      { type: 'value', min: 0, max: 5 },
    ],
    series: [
      {
        name: t('repairs.stats.slaPercent'),
        type: 'line',
        connectNulls: false,
        data: rows.map((m) => num(m.sla_met_percent)),
      },
      {
        name: t('repairs.stats.ratingAverage'),
        type: 'line',
        yAxisIndex: 1,
        connectNulls: false,
        data: rows.map((m) => num(m.rating_average)),
      },
    ],
  }
}

/** A horizontal bar per label, the largest on top. */
export function ranking(labels: string[], series: { name: string; data: number[] }[]): Option {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { ...grid, left: 16 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: [...labels].reverse() },
    series: series.map((s) => ({
      ...s,
      type: 'bar',
      barMaxWidth: 18,
      data: [...s.data].reverse(),
    })),
  }
}

export function byCategory(stats: RepairStats, t: Translate): Option {
  return ranking(
    stats.by_category.map((c) => c.name),
    [{ name: t('repairs.stats.filed'), data: stats.by_category.map((c) => c.count) }],
  )
}

export function byBuilding(stats: RepairStats, t: Translate): Option {
  return ranking(
    stats.by_building.map(
      (b) => `${b.estate_name} ${b.building_name ?? t('repairs.stats.publicArea')}`,
    ),
    [{ name: t('repairs.stats.filed'), data: stats.by_building.map((b) => b.count) }],
  )
}

export function byWorker(stats: RepairStats, t: Translate): Option {
  return ranking(
    stats.by_worker.map((w) => w.name ?? t('repairs.stats.undispatched')),
    [
      { name: t('repairs.stats.filed'), data: stats.by_worker.map((w) => w.count) },
      { name: t('repairs.stats.finished'), data: stats.by_worker.map((w) => w.finished) },
    ],
  )
}

export function ratingDistribution(stats: RepairStats, t: Translate): Option {
  const rows = stats.ratings.distribution
  return {
    tooltip: { trigger: 'axis' },
    grid,
    xAxis: { type: 'category', data: rows.map((r) => t('repairs.stats.stars', { n: r.rating })) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('repairs.stats.ratings'),
        type: 'bar',
        barMaxWidth: 36,
        data: rows.map((r) => r.count),
      },
    ],
  }
}

/** Nothing filed, cancelled or finished in the range: the page says so instead of drawing zeros. */
export function isEmpty(stats: RepairStats): boolean {
  const { filed, cancelled, finished } = stats.totals
  return filed + cancelled + finished === 0 && stats.finished_by_month.length === 0
}
