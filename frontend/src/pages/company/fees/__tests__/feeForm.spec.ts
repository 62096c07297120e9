import { describe, expect, it } from 'vitest'

import type { FeeItem } from '@/api/fees'

import {
  CHARGING_MODES_WITH_TIERS,
  changedFields,
  compareDecimal,
  formFromItem,
  formToApi,
  lateFeeToApi,
  modeFields,
  newFeeItemForm,
  priceToApi,
  tierProblems,
  tiersFromApi,
  tiersToApi,
  type PriceForm,
} from '../feeForm'

const price = (over: Partial<PriceForm> = {}): PriceForm => ({
  ...newFeeItemForm('2026-01-01').price,
  ...over,
})

describe('mode → fields', () => {
  it('shows tiers only for meter and entered usage, peak/valley only for meters', () => {
    expect(CHARGING_MODES_WITH_TIERS).toEqual(['meter', 'usage'])
    expect(modeFields('meter')).toMatchObject({
      tiers: true,
      registerPrices: true,
      meterKind: true,
    })
    expect(modeFields('usage')).toMatchObject({
      tiers: true,
      registerPrices: false,
      meterKind: false,
    })
    expect(modeFields('shared_meter')).toMatchObject({ tiers: false, meterKind: true })
  })

  it('gives area, fixed and count modes a unit price and nothing else', () => {
    for (const mode of ['building_area', 'usable_area', 'fixed', 'count'] as const) {
      expect(modeFields(mode)).toEqual({
        unitPrice: true,
        tiers: false,
        registerPrices: false,
        formula: false,
        meterKind: false,
        timeUnit: false,
      })
    }
    expect(modeFields('time').timeUnit).toBe(true)
    expect(modeFields('formula').formula).toBe(true)
  })

  it('sends only the price fields the mode takes', () => {
    expect(priceToApi('building_area', price({ unit_price: '2.5000', formula: 'x' }))).toEqual({
      fixed_extra: '0',
      unit_price: '2.5000',
    })
    // A tiered meter price sends tiers and no unit price (the server refuses both together).
    expect(
      priceToApi(
        'meter',
        price({
          tiered: true,
          unit_price: '9',
          tiers: [
            { upper: '100', price: '0.5' },
            { upper: 'ignored', price: '0.8' },
          ],
        }),
      ),
    ).toEqual({
      fixed_extra: '0',
      tiers: [
        ['100', '0.5'],
        [null, '0.8'],
      ],
    })
    // Tiers are ignored where the mode has none.
    expect(priceToApi('fixed', price({ tiered: true, unit_price: '30' }))).toEqual({
      fixed_extra: '0',
      unit_price: '30',
    })
    expect(
      priceToApi(
        'meter',
        price({
          unit_price: '0.6',
          time_of_use: true,
          register_prices: { peak: '0.8', valley: '0.3' },
        }),
      ),
    ).toEqual({
      fixed_extra: '0',
      unit_price: '0.6',
      register_prices: { peak: '0.8', valley: '0.3' },
    })
    // A formula without 单价 needs no unit price; an empty flat price is sent as null (the server names it).
    expect(priceToApi('formula', price({ formula: ' 建筑面积 * 2 ' }))).toEqual({
      fixed_extra: '0',
      formula: '建筑面积 * 2',
    })
    expect(priceToApi('count', price())).toEqual({ fixed_extra: '0', unit_price: null })
  })
})

describe('tiers editor checks', () => {
  const rows = (...pairs: [string, string][]) => pairs.map(([upper, price]) => ({ upper, price }))

  it('accepts ascending bounds with the last one unbounded', () => {
    expect(tierProblems(rows(['100', '0.5'], ['200', '0.8'], ['', '1.2']))).toEqual([])
    expect(tierProblems(rows(['', '3.05']))).toEqual([])
  })

  it('names the row and field of each problem', () => {
    expect(tierProblems([])).toEqual([{ code: 'empty' }])
    expect(tierProblems(rows(['', '0.5'], ['', '']))).toEqual([
      { code: 'required', row: 1, field: 'upper' },
      { code: 'required', row: 2, field: 'price' },
    ])
    expect(tierProblems(rows(['100', '0.5'], ['100', '0.8'], ['', '1']))).toEqual([
      { code: 'ascending', row: 2, field: 'upper' },
    ])
    expect(tierProblems(rows(['0', '0.5'], ['', '1']))).toEqual([
      { code: 'positive', row: 1, field: 'upper' },
    ])
    expect(tierProblems(rows(['1.005', '0.12345'], ['', '-1']))).toEqual([
      { code: 'places', row: 1, field: 'price', places: 4 },
      { code: 'places', row: 1, field: 'upper', places: 2 },
      { code: 'invalid', row: 2, field: 'price' },
    ])
    expect(tierProblems(Array.from({ length: 21 }, () => ({ upper: '1', price: '1' })))).toEqual([
      { code: 'tooMany' },
    ])
  })

  it('compares bounds exactly, without floats', () => {
    expect(compareDecimal('100', '99.99')).toBe(1)
    expect(compareDecimal('0.1', '0.10')).toBe(0)
    expect(compareDecimal('9007199254740993', '9007199254740992')).toBe(1)
    expect(tierProblems(rows(['99.99', '1'], ['100', '2'], ['', '3']))).toEqual([])
  })

  it('round-trips the API shape', () => {
    const api = [
      ['50', '1.2'],
      [null, '2'],
    ]
    expect(tiersToApi(tiersFromApi(api))).toEqual(api)
    expect(tiersFromApi('nonsense')).toEqual([])
  })
})

describe('the item form and the API', () => {
  it('keeps only the late-fee settings of the strategy', () => {
    const late = {
      strategy: 'none',
      rate: '0.1',
      amount: '',
      grace_days: 3,
      cap_rate: '',
      cap_amount: '',
    }
    expect(lateFeeToApi(late)).toEqual({})
    expect(
      lateFeeToApi({ ...late, strategy: 'daily_rate', rate: '0.0005', cap_rate: '1' }),
    ).toEqual({
      strategy: 'daily_rate',
      rate: '0.0005',
      grace_days: 3,
      cap_rate: '1',
    })
    expect(lateFeeToApi({ ...late, strategy: 'fixed', amount: '20' })).toEqual({
      strategy: 'fixed',
      amount: '20',
      grace_days: 3,
    })
  })

  it('forces a one-off item to prepaid and clears the meter kind of non-meter modes', () => {
    const form = { ...newFeeItemForm('2026-01-01'), name: ' 装修押金 ', cycle_months: 0 as const }
    form.timing = 'postpaid'
    form.meter_kind = 'water'
    form.price.unit_price = '1000'
    const body = formToApi(form)
    expect(body).toMatchObject({
      name: '装修押金',
      timing: 'prepaid',
      meter_kind: '',
      valid_until: null,
    })
  })

  it('edits an item through the changed fields only', () => {
    const item: FeeItem = {
      id: 7,
      name: '水费',
      kind: 'water',
      payer_kind: 'house',
      mode: 'meter',
      cycle_months: 1,
      cycle_anchor: '2000-01-01',
      timing: 'postpaid',
      due_rule: 'days_after_issue',
      due_value: 15,
      rounding: 'half_up',
      rounding_place: 'fen',
      time_unit: 'month',
      meter_kind: 'water',
      valid_from: '2026-01-01',
      valid_until: null,
      balance_may_pay: true,
      payable_online: true,
      late_fee: {},
      active: true,
      current_price: {
        id: 1,
        effective_from: '2026-01-01',
        unit_price: '0.0000',
        fixed_extra: '0.00',
        tiers: [
          ['20', '3.5'],
          [null, '5'],
        ],
        register_prices: {},
        formula: '',
        created_at: '2026-01-01T00:00:00Z',
      },
      open_assignments: 3,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    }
    const form = formFromItem(item)
    expect(form.price).toMatchObject({
      tiered: true,
      unit_price: '',
      tiers: [
        { upper: '20', price: '3.5' },
        { upper: '', price: '5' },
      ],
    })
    const before = formToApi(form)
    expect(changedFields(before, formToApi(form))).toEqual({})
    form.due_value = 20
    expect(changedFields(before, formToApi(form))).toEqual({ due_value: 20 })
    form.price.tiers[0]!.price = '3.6'
    expect(Object.keys(changedFields(before, formToApi(form)))).toEqual(['due_value', 'price'])
  })
})
