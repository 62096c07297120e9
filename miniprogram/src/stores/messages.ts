/**
 * 消息: the owner's inbox — bills issued, notices — with its unread count and read receipts, over
 * an API client passed in (the page shares the instance in stores/session.ts; tests script one).
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { OwnerMessage, OwnerPreferences } from '@/api/types'
import { t } from '@/i18n'

export type MessagesApi = Pick<
  ApiClient,
  'ownerMessages' | 'ownerUnreadCount' | 'readMessage' | 'readAllMessages' | 'ownerPreferences' | 'saveOwnerPreferences'
>

export function createMessagesStore(api: MessagesApi) {
  const state = reactive({
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: '',
    messages: [] as OwnerMessage[],
    unread: 0,
    /** 通知设置: null until opened. */
    preferences: null as OwnerPreferences | null,
    preferencesError: '',
    savingPreferences: false,
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

  async function loadPreferences(): Promise<void> {
    state.preferencesError = ''
    try {
      state.preferences = await api.ownerPreferences()
    } catch (err) {
      state.preferencesError = err instanceof ApiError ? err.message : t('errors.generic')
    }
  }

  /** Mute or unmute one event (essential ones cannot be muted: the server refuses them too). */
  function toggleMuted(name: string): void {
    const prefs = state.preferences
    const event = prefs?.events.find((item) => item.name === name)
    if (!prefs || !event || event.essential) return
    event.muted = !event.muted
    prefs.muted_events = prefs.events.filter((item) => item.muted).map((item) => item.name)
  }

  function setQuietHours(start: string | null, end: string | null): void {
    if (!state.preferences) return
    state.preferences.quiet_start = start
    state.preferences.quiet_end = end
  }

  /** Save; true when the server took it (its answer replaces ours), false with the error shown. */
  async function savePreferences(): Promise<boolean> {
    const prefs = state.preferences
    if (!prefs) return false
    state.savingPreferences = true
    state.preferencesError = ''
    try {
      state.preferences = await api.saveOwnerPreferences({
        muted_events: prefs.muted_events,
        quiet_start: prefs.quiet_start,
        quiet_end: prefs.quiet_end,
      })
      return true
    } catch (err) {
      state.preferencesError = err instanceof ApiError ? err.message : t('errors.generic')
      return false
    } finally {
      state.savingPreferences = false
    }
  }

  function reset(): void {
    state.status = 'idle'
    state.error = ''
    state.messages = []
    state.unread = 0
    state.preferences = null
    state.preferencesError = ''
  }

  return { state, load, refreshUnread, open, readAll, reset, loadPreferences, toggleMuted, setQuietHours, savePreferences }
}
