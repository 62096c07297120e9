/**
 * 社区公告: the announcements for the owner's houses (pinned first, each with the owner's read
 * flag) and one opened in full — opening it is what marks it read on the server — over an API
 * client passed in (the pages share the one in stores/session.ts; tests script one).
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { OwnerNotice, OwnerNoticeDetail } from '@/api/types'
import { t } from '@/i18n'

export type NoticesApi = Pick<ApiClient, 'ownerNotices' | 'ownerNotice'>

function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t('errors.generic')
}

export function createNoticesStore(api: NoticesApi) {
  const state = reactive({
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: '',
    list: [] as OwnerNotice[],
    detail: null as OwnerNoticeDetail | null,
    detailError: '',
  })

  async function load(): Promise<void> {
    state.status = 'loading'
    state.error = ''
    try {
      state.list = await api.ownerNotices()
      state.status = 'ready'
    } catch (err) {
      state.error = messageOf(err)
      state.status = 'error'
    }
  }

  /** The whole notice; the server records the read, and the list's dot goes at once. */
  async function open(id: number): Promise<void> {
    state.detailError = ''
    if (state.detail?.id !== id) state.detail = null
    try {
      state.detail = await api.ownerNotice(id)
      state.list = state.list.map((n) => (n.id === id ? { ...n, is_read: true } : n))
    } catch (err) {
      state.detailError = messageOf(err)
    }
  }

  function reset(): void {
    Object.assign(state, { status: 'idle', error: '', list: [], detail: null, detailError: '' })
  }

  return { state, load, open, reset }
}

export type NoticesStore = ReturnType<typeof createNoticesStore>
