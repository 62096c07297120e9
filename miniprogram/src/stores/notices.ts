/**
 * 社区公告: the announcements for the owner's houses (pinned first, each with the owner's read
 * flag), a page at a time as the owner scrolls, and one opened in full — opening it is what marks
 * it read on the server — over an API client passed in (the pages share the one in
 * stores/session.ts; tests script one).
 */
import { reactive } from 'vue'
import type { ApiClient } from '@/api/client'
import type { OwnerNotice, OwnerNoticeDetail } from '@/api/types'
import { messageOf } from './detailMoves'
import { createPager } from './pager'

export type NoticesApi = Pick<ApiClient, 'ownerNotices' | 'ownerNotice'>

export function createNoticesStore(api: NoticesApi) {
  const list = createPager<OwnerNotice>((page) => api.ownerNotices(page))
  const state = reactive({
    detail: null as OwnerNoticeDetail | null,
    detailError: '',
  })

  /** The whole notice; the server records the read, and the list's dot goes at once. */
  async function open(id: number): Promise<void> {
    state.detailError = ''
    if (state.detail?.id !== id) state.detail = null
    try {
      state.detail = await api.ownerNotice(id)
      list.update((n) => (n.id === id ? { ...n, is_read: true } : n))
    } catch (err) {
      state.detailError = messageOf(err)
    }
  }

  function reset(): void {
    list.reset()
    Object.assign(state, { detail: null, detailError: '' })
  }

  return { list: list.state, state, load: list.load, loadMore: list.loadMore, open, reset }
}

export type NoticesStore = ReturnType<typeof createNoticesStore>
