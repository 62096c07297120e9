import type { FormItemRule } from 'element-plus'

type T = (key: string, named?: Record<string, unknown>) => string

/**
 * Rules of the new password and its confirmation (NewPasswordFields), `newPassword` read when the
 * confirmation is checked; the server's validators have the last word.
 */
export function newPasswordRules(t: T, newPassword: () => string) {
  return {
    new_password: [required(t, t('passwords.newPassword'))],
    confirm: [
      required(t, t('passwords.confirm')),
      {
        trigger: 'blur',
        validator: (_rule: unknown, value: string, done: (error?: Error) => void) =>
          value === newPassword() ? done() : done(new Error(t('passwords.mismatch'))),
      },
    ],
  } satisfies Record<string, FormItemRule[]>
}

export function required(t: T, field: string): FormItemRule {
  return { required: true, trigger: 'blur', message: t('validation.required', { field }) }
}
