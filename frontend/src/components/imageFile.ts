import { ACCEPTED_IMAGE_TYPES } from '@/components/types'

type Translate = (key: string, values?: Record<string, unknown>) => string

/** "2 MB", "500 KB": a size limit as the upload hints show it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`
  return `${Math.round(bytes / 1024)} KB`
}

/** The problem with a picked image (type, size), or '' when it may be uploaded. */
export function imageProblem(file: File, maxBytes: number, t: Translate): string {
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return t('upload.invalidType')
  }
  if (file.size > maxBytes) return t('upload.tooLarge', { size: formatBytes(maxBytes) })
  return ''
}
