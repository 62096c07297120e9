import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { ApiError, authApi } from '@/api'
import type { Me, ModuleKey } from '@/api/types'

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  /** True once we asked the server who we are (whatever the answer). */
  const checked = ref(false)

  const isAuthenticated = computed(() => me.value !== null)
  const modules = computed<ModuleKey[]>(() => me.value?.modules ?? [])

  function hasModule(module: ModuleKey): boolean {
    return modules.value.includes(module)
  }

  /** Holds the permission — or, given several, any one of them. */
  function hasPermission(permission: string | readonly string[]): boolean {
    const held = me.value?.permissions ?? []
    return typeof permission === 'string'
      ? held.includes(permission)
      : permission.some((p) => held.includes(p))
  }

  /**
   * Ask the server once per page load. First whether anyone is signed in (always a 200, so an
   * anonymous visit to the login page logs no 401 in the console), then who, only if someone is;
   * a 401 from `me` (the session ended in between) still simply means "not signed in".
   */
  async function ensureLoaded(): Promise<Me | null> {
    if (checked.value) return me.value
    try {
      const session = await authApi.session()
      me.value = session.authenticated ? await authApi.me() : null
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) {
        throw error
      }
      me.value = null
    }
    checked.value = true
    return me.value
  }

  async function login(username: string, password: string): Promise<Me> {
    me.value = await authApi.login(username, password)
    checked.value = true
    return me.value
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      clear()
    }
  }

  /** Forget the user locally (after logout or a 401 from any request). */
  function clear() {
    me.value = null
    checked.value = true
  }

  return {
    me,
    checked,
    isAuthenticated,
    modules,
    hasModule,
    hasPermission,
    ensureLoaded,
    login,
    logout,
    clear,
  }
})
