import type { FormItemRule } from 'element-plus'

type T = (key: string, named?: Record<string, unknown>) => string

/** Rules of the new password and its confirmation; the server's validators have the last word. */
export function newPasswordRules(t: T, form: { new_password: string }) {
  const required = (field: string): FormItemRule => ({
    required: true,
    trigger: 'blur',
    message: t('validation.required', { field }),
  })
  return {
    new_password: [required(t('passwords.forgot.newPassword'))],
    confirm: [
      required(t('passwords.forgot.confirm')),
      {
        trigger: 'blur',
        validator: (_rule: unknown, value: string, done: (error?: Error) => void) =>
          value === form.new_password ? done() : done(new Error(t('passwords.mismatch'))),
      },
    ],
  }
}

export function required(t: T, field: string): FormItemRule {
  return { required: true, trigger: 'blur', message: t('validation.required', { field }) }
}
