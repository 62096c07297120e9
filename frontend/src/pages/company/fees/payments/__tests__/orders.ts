/** Payment orders as the staff API answers them, for the 在线支付 specs. */
import type { PaymentOrder, PaymentOrderDetail } from '@/api/payments'

export function row(over: Partial<PaymentOrder> = {}): PaymentOrder {
  return {
    id: 7,
    out_trade_no: 'W20261201101500ABCDEFGHJKLM',
    purpose: 'bills',
    payer_kind: 'house',
    house: 101,
    description: '物业费 等 1 项',
    gateway: 'wechatpay',
    status: 'pending',
    amount: '1289.50',
    refunded_amount: '0.00',
    gateway_reference: '',
    settlement: '',
    created_at: '2026-12-01T02:15:00Z',
    expires_at: '2026-12-01T02:45:00Z',
    paid_at: null,
    ...over,
  }
}

export function detail(over: Partial<PaymentOrderDetail> = {}): PaymentOrderDetail {
  return {
    ...row(),
    settled_reference: '',
    refunds: [],
    refundable: '0.00',
    payer_account: 'oal*****************0000',
    lines: [
      {
        id: 1,
        item_id: 55,
        label: '物业费 2026-11',
        amount: '1280.00',
        late_fee: '9.50',
        holds: true,
      },
    ],
    events: [
      {
        id: 1,
        from_status: '',
        to_status: 'created',
        source: 'api',
        created_at: '2026-12-01T02:15:00Z',
        evidence: { quote: [[55, '1280.00', '9.50']] },
      },
      {
        id: 2,
        from_status: 'created',
        to_status: 'pending',
        source: 'gateway',
        created_at: '2026-12-01T02:15:01Z',
        evidence: { prepay_id: 'wx01', payer: { sub_openid: 'oal*****0000' } },
      },
    ],
    ...over,
  }
}

export const PAID = detail({
  status: 'paid',
  paid_at: '2026-12-01T02:16:00Z',
  gateway_reference: '4200000001',
  settlement: 'allocated',
  settled_reference: '31',
  lines: [
    {
      id: 1,
      item_id: 55,
      label: '物业费 2026-11',
      amount: '1280.00',
      late_fee: '9.50',
      holds: false,
    },
  ],
  events: [
    ...detail().events,
    {
      id: 3,
      from_status: 'pending',
      to_status: 'paid',
      source: 'staff',
      created_at: '2026-12-01T02:16:00Z',
      evidence: { trade_state: 'SUCCESS', transaction_id: '4200000001' },
    },
  ],
})
