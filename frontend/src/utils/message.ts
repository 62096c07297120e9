import { ElMessage } from 'element-plus/es/components/message/index.mjs'
import 'element-plus/es/components/message/style/css'

import { ApiError } from '@/api/http'
import { i18n } from '@/locales'

export const toast = {
  success: (message: string) => ElMessage.success({ message, grouping: true }),
  error: (message: string) => ElMessage.error({ message, grouping: true }),
}

/** A message for any error: the server's own text when it sent one, else ours by code. */
export function errorMessage(error: unknown): string {
  const t = i18n.global.t
  if (error instanceof ApiError) {
    if (error.message) return error.message
    switch (error.code) {
      case 'network_error':
        return t('errors.network')
      case 'not_authenticated':
        return t('errors.notAuthenticated')
      case 'permission_denied':
        return t('errors.permissionDenied')
      case 'not_found':
        return t('errors.notFound')
      case 'throttled':
        return t('errors.throttled')
      case 'server_error':
        return t('errors.server')
    }
  }
  return t('errors.generic')
}

/** Toast an error of an action, unless the global 403 handler has already shown one. */
export function notifyError(error: unknown): void {
  if (error instanceof ApiError && error.status === 403) return
  toast.error(errorMessage(error))
}
