import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { ApiError } from '@/api/http'
import {
  partnerApi,
  type PartnerAccount,
  type PartnerAuth,
  type PartnerSignup,
  type PartnerToken,
} from '@/api/partnerPortal'

/** Where the partner token lives: apart from the company admin's sign-in (a session cookie). */
export const PARTNER_TOKEN_KEY = 'wuye.partner.token'

function readToken(): string | null {
  try {
    return window.localStorage.getItem(PARTNER_TOKEN_KEY)
  } catch {
    return null
  }
}

function writeToken(token: string | null) {
  try {
    if (token) window.localStorage.setItem(PARTNER_TOKEN_KEY, token)
    else window.localStorage.removeItem(PARTNER_TOKEN_KEY)
  } catch {
    /* private mode: the sign-in lasts for this page only */
  }
}

/**
 * The signed-in vendor account of the partner portal and its bearer token. Only calls made through
 * `call()` carry the token, and only the partner API (api/partnerPortal.ts) is called through it; a
 * 401 from any of them forgets the token, and the portal's layout sends the vendor back to sign in.
 */
export const usePartnerStore = defineStore('partner', () => {
  const token = ref<string | null>(readToken())
  const account = ref<PartnerAccount | null>(null)
  /** True once we asked the server who the token belongs to (whatever the answer). */
  const checked = ref(false)

  const signedIn = computed(() => token.value !== null && account.value !== null)
  const vendor = computed(() => account.value?.vendor ?? null)
  /** The vendor's manager: uploads documents and applies to companies (staff only read). */
  const canManage = computed(() => account.value?.permissions.includes('partner.manage') ?? false)
  /** 消息 not read yet: the nav badge (0: none, or unknown). */
  const unread = ref(0)

  /** Run one partner API call with the token; a 401 ends the sign-in here. */
  async function call<T>(request: (auth: PartnerAuth) => Promise<T>): Promise<T> {
    if (!token.value) {
      clear()
      throw new ApiError(401, 'not_authenticated', '')
    }
    try {
      return await request({
        headers: { Authorization: `Bearer ${token.value}` },
        handleErrorsLocally: true,
      })
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) clear()
      throw error
    }
  }

  async function ensureLoaded(): Promise<PartnerAccount | null> {
    if (checked.value) return account.value
    if (token.value) {
      try {
        account.value = await call((auth) => partnerApi.me(auth))
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error
      }
    }
    checked.value = true
    return account.value
  }

  function start(answer: PartnerToken): PartnerAccount {
    token.value = answer.token
    writeToken(answer.token)
    account.value = answer.account
    checked.value = true
    return answer.account
  }

  async function login(phone: string, password: string): Promise<PartnerAccount> {
    return start(await partnerApi.login(phone, password))
  }

  async function signup(body: PartnerSignup): Promise<PartnerAccount> {
    return start(await partnerApi.signup(body))
  }

  /** Refresh the account (the vendor's listings may have been suspended since). */
  async function refresh(): Promise<PartnerAccount> {
    account.value = await call((auth) => partnerApi.me(auth))
    return account.value
  }

  /**
   * Count the unread 消息 again: the layout asks with its minute poll, the 消息 page after marking
   * some read. The count is a hint; a failure leaves it as it was (the 消息 page says what went wrong).
   */
  async function countUnread(): Promise<void> {
    if (!signedIn.value) return
    try {
      const page = await call((auth) =>
        partnerApi.notices(auth, { page: 1, unread: true, pageSize: 1 }),
      )
      unread.value = page.count
    } catch {
      /* see above */
    }
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await call((auth) => partnerApi.logout(auth))
    } finally {
      clear()
    }
  }

  /** Forget the account and its token locally (after logout or a 401). */
  function clear() {
    token.value = null
    writeToken(null)
    account.value = null
    unread.value = 0
    checked.value = true
  }

  return {
    token,
    account,
    checked,
    signedIn,
    vendor,
    canManage,
    unread,
    call,
    ensureLoaded,
    login,
    signup,
    refresh,
    countUnread,
    logout,
    clear,
  }
})
