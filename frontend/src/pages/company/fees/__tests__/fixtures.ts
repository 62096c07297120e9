import type { RouteMeter } from '@/api/fees'

/** A meter of a reader's route (GET /meter-route/). */
export function routeMeter(id: number, read = false, over: Partial<RouteMeter> = {}): RouteMeter {
  return {
    id,
    kind: 'water',
    number: `W-${id}`,
    house: id,
    house_label: `1栋1单元${100 + id}`,
    floor: 1,
    building: 3,
    building_name: '1栋',
    estate: 1,
    estate_name: '阳光花园',
    shared: false,
    time_of_use: false,
    rollover_at: null,
    last_reading: null,
    read_this_cycle: read,
    ...over,
  }
}
