import { describe, expect, it } from 'vitest'

import { emptyRule, ruleBody } from '../rules'

describe('discount rule form', () => {
  it('sends only the fields its kind takes, the others as null', () => {
    const form = {
      ...emptyRule('2026-12-01'),
      name: ' 预缴95折 ',
      fee_items: [3],
      percent: '5',
      amount: '10',
    }
    expect(ruleBody(form)).toMatchObject({
      name: '预缴95折',
      kind: 'prepay_percent',
      percent: '5',
      min_cycles: 12,
      amount: null,
      free_cycles: null,
      valid_until: null,
    })
    const fixed = ruleBody({ ...form, kind: 'fixed', reason: '老人优待' })
    expect(fixed).toMatchObject({
      amount: '10',
      percent: null,
      min_cycles: null,
      reason: '老人优待',
    })
  })
})
