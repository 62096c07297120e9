import type { FormItemRule } from 'element-plus'

/** The most a quoted order may be completed with (the server's MAX_QUOTE, vendor_orders). */
export const MAX_QUOTE = 50000

/** 元 with at most two decimals, above 0 and at most MAX_QUOTE: the amount agreed at the door. */
export function isQuoteAmount(text: string): boolean {
  const value = text.trim()
  return /^\d{1,5}(\.\d{1,2})?$/.test(value) && Number(value) > 0 && Number(value) <= MAX_QUOTE
}

/** The form rule for a quoted order's amount, with `message` when it is missing or out of range. */
export function quoteAmountRule(message: string): FormItemRule {
  return {
    required: true,
    trigger: 'blur',
    validator: (_rule, value: string, callback) =>
      isQuoteAmount(String(value ?? '')) ? callback() : callback(new Error(message)),
  }
}
