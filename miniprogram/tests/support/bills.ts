/** Bills and payments shaped as the server sends them (billing/api/owner.py), for tests. */
import type { OwnerBillLine, OwnerHouseBills, OwnerPayment } from '@/api/types'

export function line(overrides: Partial<OwnerBillLine> & Pick<OwnerBillLine, 'id'>): OwnerBillLine {
  return {
    fee_item_name: '物业费',
    kind: 'regular',
    period_start: '2026-09-01',
    period_end: '2026-10-01',
    due_date: '2026-09-16',
    amount: '223.75',
    paid: '0.00',
    outstanding: '223.75',
    status: 'unpaid',
    explanation: '89.50㎡ × 2.5000 元 × 1 月',
    payable_online: false,
    principal: null,
    ...overrides,
  }
}

export function houseBills(overrides: Partial<OwnerHouseBills> = {}): OwnerHouseBills {
  return {
    house: 101,
    house_label: '1栋1单元101',
    estate_name: '翠湖花园',
    due: [],
    overdue: [],
    paid: [],
    late_fees_accruing: [],
    totals: { due: '0.00', overdue: '0.00', late_fees_accruing: '0.00', to_pay: '0.00' },
    balance: '0.00',
    ...overrides,
  }
}

export function payment(overrides: Partial<OwnerPayment> & Pick<OwnerPayment, 'id'>): OwnerPayment {
  return {
    house: 202,
    house_label: '3栋2单元1101',
    method: 'cash',
    method_label: '现金',
    amount: '223.75',
    received_at: '2026-11-05T02:30:00Z',
    receipt_id: 500 + overrides.id,
    receipt_number: `SJ2026-00000${overrides.id}`,
    voided: false,
    refund_state: '',
    refunded_amount: '0.00',
    refunding_amount: '0.00',
    lines: [{ fee_item_name: '物业费', period_start: '2026-11-01', period_end: '2026-12-01', amount: '223.75' }],
    ...overrides,
  }
}
