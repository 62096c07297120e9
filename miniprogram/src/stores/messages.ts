/**
 * 消息: the owner's inbox — bills issued, notices — with its unread count and read receipts, over
 * an API client passed in (the page shares the instance in stores/session.ts; tests script one).
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { OwnerMessage } from '@/api/types'
import { t } from '@/i18n'

export type MessagesApi = Pick<ApiClient, 'ownerMessages' | 'ownerUnreadCount' | 'readMessage' | 'readAllMessages'>

export function createMessagesStore(api: MessagesApi) {
  const state = reactive({
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: '',
    messages: [] as OwnerMessage[],
    unread: 0,
  })

  async function load(): Promise<void> {
    state.status = 'loading'
    state.error = ''
    try {
      const [messages, unread] = await Promise.all([api.ownerMessages(), api.ownerUnreadCount()])
      state.messages = messages
      state.unread = unread
      state.status = 'ready'
    } catch (err) {
      state.error = err instanceof ApiError ? err.message : t('errors.generic')
      state.status = 'error'
    }
  }

  /** The unread count alone (the profile page's badge). */
  async function refreshUnread(): Promise<void> {
    state.unread = await api.ownerUnreadCount()
  }

  /** Mark one read (once); returns the link it opens, '' for none. */
  async function open(message: OwnerMessage): Promise<string> {
    if (!message.read_at) {
      const read = await api.readMessage(message.id)
      message.read_at = read.read_at
      state.unread = Math.max(0, state.unread - 1)
    }
    return message.link
  }

  async function readAll(): Promise<void> {
    await api.readAllMessages()
    const now = new Date().toISOString()
    for (const message of state.messages) message.read_at ??= now
    state.unread = 0
  }

  function reset(): void {
    state.status = 'idle'
    state.error = ''
    state.messages = []
    state.unread = 0
  }

  return { state, load, refreshUnread, open, readAll, reset }
}
