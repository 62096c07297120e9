/**
 * Calendar dates as `YYYY-MM-DD` strings, the form the API speaks. Arithmetic runs on UTC
 * midnights so the browser's own time zone (and its daylight saving) never shifts a date.
 */

const toUtc = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d))
}
const fromUtc = (date: Date) => date.toISOString().slice(0, 10)

/** Today in Beijing time, the server's calendar. */
export function todayInBeijing(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

export function addDays(iso: string, days: number): string {
  const date = toUtc(iso)
  date.setUTCDate(date.getUTCDate() + days)
  return fromUtc(date)
}

/** 1 (Monday) … 7 (Sunday), as shifts list their working days. */
export function isoWeekday(iso: string): number {
  return toUtc(iso).getUTCDay() || 7
}

/** The Monday starting the week `iso` falls in. */
export function mondayOf(iso: string): string {
  return addDays(iso, 1 - isoWeekday(iso))
}

/** The seven dates of the week starting on `monday`. */
export function weekOf(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i))
}
