import type { RouteMeter } from '@/api/fees'
import type { Refund } from '@/api/ledger'

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

/** An approved refund the channel failed to pay (GET /refunds/): what 改为现金退款 is for. */
export function refund(over: Partial<Refund> = {}): Refund {
  return {
    id: 9,
    house: 3,
    house_label: '1栋1单元101',
    source: 'payment',
    payment: 41,
    deposit: null,
    amount: '120.00',
    method: 'original',
    reason: '多收退回',
    status: 'approved',
    requested_by_name: '收银员',
    decided_by_name: '管理员',
    decided_at: '2026-03-01T09:00:00+08:00',
    decision_note: '',
    channel_status: 'failed',
    payout_status: 'refund_failed',
    refunded_at: null,
    paid_out_by_name: '',
    replaced_refund_no: '',
    created_at: '2026-03-01T08:00:00+08:00',
    ...over,
  }
}
