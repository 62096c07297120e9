import type { DiscountRule, DiscountRuleWrite, DiscountKind } from '@/api/discounts'
import { KIND_FIELDS } from '@/api/discounts'

/** The rule form as edited: strings for the inputs, converted to the API's body on save. */
export interface RuleForm {
  name: string
  kind: DiscountKind
  fee_items: number[]
  percent: string
  amount: string
  min_cycles: number | null
  free_cycles: number | null
  reason: string
  valid_from: string
  valid_until: string
  active: boolean
}

export function emptyRule(today: string): RuleForm {
  return {
    name: '',
    kind: 'prepay_percent',
    fee_items: [],
    percent: '',
    amount: '',
    min_cycles: 12,
    free_cycles: null,
    reason: '',
    valid_from: today,
    valid_until: '',
    active: true,
  }
}

export function ruleForm(rule: DiscountRule): RuleForm {
  return {
    name: rule.name,
    kind: rule.kind,
    fee_items: [...rule.fee_items],
    percent: rule.percent ?? '',
    amount: rule.amount ?? '',
    min_cycles: rule.min_cycles ?? null,
    free_cycles: rule.free_cycles ?? null,
    reason: rule.reason ?? '',
    valid_from: rule.valid_from,
    valid_until: rule.valid_until ?? '',
    active: rule.active ?? true,
  }
}

/** The body to send: the fields the kind does not take go as null, so the server clears them. */
export function ruleBody(form: RuleForm): DiscountRuleWrite {
  const takes = KIND_FIELDS[form.kind]
  return {
    name: form.name.trim(),
    kind: form.kind,
    fee_items: form.fee_items,
    percent: takes.includes('percent') && form.percent.trim() ? form.percent.trim() : null,
    amount: takes.includes('amount') && form.amount.trim() ? form.amount.trim() : null,
    min_cycles: takes.includes('min_cycles') ? form.min_cycles : null,
    free_cycles: takes.includes('free_cycles') ? form.free_cycles : null,
    reason: form.reason.trim(),
    valid_from: form.valid_from,
    valid_until: form.valid_until || null,
    active: form.active,
  }
}
