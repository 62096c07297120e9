import type { FormInstance } from 'element-plus'

import type { FieldErrors } from '@/api/http'

/**
 * Show server field errors under the matching el-form-items.
 * Returns the errors that matched no form item, so the caller can show them elsewhere.
 */
export function applyServerErrors(form: FormInstance | undefined, fields: FieldErrors): string[] {
  const unmatched: string[] = []
  for (const [prop, messages] of Object.entries(fields)) {
    const text = messages.join(' ')
    const item = form?.getField(prop)
    if (item) {
      item.validateState = 'error'
      item.validateMessage = text
    } else {
      unmatched.push(prop === 'non_field_errors' || prop === '__all__' ? text : `${prop}: ${text}`)
    }
  }
  return unmatched
}
