/**
 * The reader's walk along a meter route (GET /meter-route/): which meter comes next, and the route
 * after a reading is saved. Pure functions: the phone page keeps the state.
 */
import type { MeterReading, RouteMeter } from '@/api/fees'

/**
 * The first meter still unread after `afterId` in walking order, wrapping round to the start (a
 * skipped meter comes back at the end); `afterId` itself is never the answer. null: all read.
 */
export function nextUnreadId(meters: readonly RouteMeter[], afterId: number | null): number | null {
  const start = afterId === null ? -1 : meters.findIndex((m) => m.id === afterId)
  for (let step = 1; step <= meters.length; step++) {
    const meter = meters[(start + step + meters.length) % meters.length]
    if (meter && meter.id !== afterId && !meter.read_this_cycle) return meter.id
  }
  return null
}

/** The neighbour in walking order (for the previous/next buttons), or null at either end. */
export function neighbourId(
  meters: readonly RouteMeter[],
  id: number | null,
  direction: 1 | -1,
): number | null {
  const index = meters.findIndex((m) => m.id === id)
  if (index < 0) return null
  return meters[index + direction]?.id ?? null
}

/**
 * The route once `reading` is saved: its meter read this cycle (unless the reading was rejected
 * at once, which does not happen on save) and showing the new reading as its last one. Only the
 * total register counts as "read" — peak and valley are extra readings of the same visit.
 */
export function withReading(meters: readonly RouteMeter[], reading: MeterReading): RouteMeter[] {
  return meters.map((meter) =>
    meter.id !== reading.meter || reading.register !== 'total'
      ? meter
      : {
          ...meter,
          read_this_cycle: reading.status !== 'rejected',
          last_reading: {
            id: reading.id,
            read_on: reading.read_on,
            current: reading.current,
            register: reading.register,
            status: reading.status,
          },
        },
  )
}

export function progressOf(meters: readonly RouteMeter[]): { read: number; total: number } {
  return { read: meters.filter((m) => m.read_this_cycle).length, total: meters.length }
}

/** Where a meter is, for its card: the house, else the building or estate it is shared by. */
export function placeOf(meter: RouteMeter): string {
  if (meter.house_label) return meter.house_label
  return [meter.estate_name, meter.building_name].filter(Boolean).join(' ')
}

/** A dial reading as typed: digits with up to 2 decimals. */
export function validReading(text: string): boolean {
  return /^\d+(?:\.\d{1,2})?$/.test(text.trim())
}
