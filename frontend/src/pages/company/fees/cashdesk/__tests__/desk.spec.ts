import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/http'
import type { DeskDetail } from '@/api/ledger'

import {
  amountError,
  cashDifference,
  liveChange,
  outcomeUnknown,
  payBody,
  selectionOf,
  type PayForm,
} from '../desk'

function line(charge: number, outstanding: string) {
  return {
    charge,
    fee_item_name: '物业费',
    kind: 'regular',
    period_start: '2026-01-01',
    period_end: '2026-02-01',
    due_date: '2026-01-15',
    amount: outstanding,
    outstanding,
    overdue: false,
    explanation: '',
  }
}

const detail: DeskDetail = {
  house: { id: 7, label: '1栋1单元101', estate: 1, estate_name: '翠湖苑', building_area: '89.50' },
  payer: { name: '周杰', phone_masked: '138****0001' },
  lines: [line(1, '223.75'), line(2, '0.10'), line(3, '0.20')],
  late_fees_to_post: [
    { principal: 1, fee_item_name: '物业费', amount: '1.12', explanation: '逾期 5 天' },
  ],
  total_due: '225.17',
  balance: '0.00',
  deposits: [],
  recent_payments: [],
}

const form = (over: Partial<PayForm> = {}): PayForm => ({
  amount: '225.17',
  method: 'cash',
  tendered: '',
  payerName: ' 周杰 ',
  reference: '',
  note: '',
  ...over,
})

describe('selectionOf', () => {
  it('pays everything oldest first (late fees included) when every line is chosen', () => {
    const all = selectionOf(detail, new Set([1, 2, 3]))
    expect(all).toEqual({ all: true, chargeIds: [], owing: '225.17', count: 4 })
  })

  it('sums the chosen lines in fen and names them in the desk order', () => {
    const some = selectionOf(detail, new Set([3, 2]))
    expect(some).toEqual({ all: false, chargeIds: [2, 3], owing: '0.30', count: 2 })
  })

  it('owes nothing when nothing is chosen', () => {
    expect(selectionOf(detail, new Set())).toMatchObject({ all: false, owing: '0.00', count: 0 })
  })
})

describe('payBody', () => {
  it('sends no charge ids for oldest first, the tendered cash normalised', () => {
    const body = payBody(form({ tendered: '300' }), selectionOf(detail, new Set([1, 2, 3])))
    expect(body).toEqual({
      amount: '225.17',
      method: 'cash',
      tendered: '300.00',
      payer_name: '周杰',
      reference: '',
      note: '',
    })
  })

  it('names the chosen lines, and sends no tendered for other methods', () => {
    const body = payBody(
      form({ amount: '0.3', method: 'pos', tendered: '5', reference: ' 8812 ' }),
      selectionOf(detail, new Set([2, 3])),
    )
    expect(body).toMatchObject({
      amount: '0.30',
      method: 'pos',
      charge_ids: [2, 3],
      reference: '8812',
    })
    expect(body).not.toHaveProperty('tendered')
  })
})

describe('liveChange', () => {
  it('computes the change for cash only', () => {
    expect(liveChange({ amount: '223.75', method: 'cash', tendered: '300' })).toEqual({
      ok: true,
      change: '76.25',
    })
    expect(liveChange({ amount: '0.30', method: 'cash', tendered: '0.50' })).toEqual({
      ok: true,
      change: '0.20',
    })
    expect(liveChange({ amount: '10', method: 'cash', tendered: '9.99' })).toMatchObject({
      ok: false,
      reason: 'short',
      short: '0.01',
    })
    expect(liveChange({ amount: '10', method: 'pos', tendered: '20' })).toBeNull()
    expect(liveChange({ amount: '10', method: 'cash', tendered: ' ' })).toBeNull()
  })
})

describe('amountError / cashDifference', () => {
  const messages = { invalid: 'invalid', positive: 'positive' }
  it('validates amounts to the fen', () => {
    expect(amountError('12.5', messages)).toBeNull()
    expect(amountError('12.345', messages)).toBe('invalid')
    expect(amountError('0', messages)).toBe('positive')
    expect(amountError('0', messages, true)).toBeNull()
    expect(amountError('-1', messages, true)).toBe('positive')
  })

  it('counts the shift difference in fen', () => {
    expect(cashDifference('1000.10', '1000.00')).toBe('0.10')
    expect(cashDifference('999.7', '1000.00')).toBe('-0.30')
    expect(cashDifference('x', '1')).toBeNull()
  })
})

describe('outcomeUnknown', () => {
  it('is true only when the payment may have gone through', () => {
    expect(outcomeUnknown(new ApiError(0, 'network_error', ''))).toBe(true)
    expect(outcomeUnknown(new ApiError(502, 'server_error', ''))).toBe(true)
    expect(outcomeUnknown(new ApiError(400, 'validation_error', ''))).toBe(false)
    expect(outcomeUnknown(new ApiError(409, 'charge_not_due', ''))).toBe(false)
    expect(outcomeUnknown(new Error('x'))).toBe(false)
  })
})
