import { ApiError } from '@/api/client'
import { t } from '@/i18n'

/** What to tell the owner when a request fails: the server's own message, or a generic one. */
export function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t('errors.generic')
}

/** The detail pages' state a move works on (a repair, a feedback item, an activity). */
export interface DetailState<T> {
  detail: T | null
  detailError: string
  busy: boolean
}

/**
 * One move on the open item (cancel, rate, sign up…): refused while another is under way; the
 * server's answer replaces the detail, or its message shows. True when the move went through.
 */
export async function moveDetail<T>(state: DetailState<T>, run: () => Promise<T>): Promise<boolean> {
  if (state.busy) return false
  state.busy = true
  state.detailError = ''
  try {
    state.detail = await run()
    return true
  } catch (err) {
    state.detailError = messageOf(err)
    return false
  } finally {
    state.busy = false
  }
}
