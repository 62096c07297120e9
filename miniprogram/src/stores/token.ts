/** Pure helpers for the stored login (token + expiry). */
import type { AuthUser, LoginResponse } from '@/api/types'

export interface StoredSession {
  token: string
  expiresAt: string
  user: AuthUser | null
}

export const SESSION_KEY = 'wuye.session'

export function serializeSession(res: Pick<LoginResponse, 'token' | 'expires_at'> & { user: AuthUser }): string {
  const s: StoredSession = { token: res.token, expiresAt: res.expires_at, user: res.user }
  return JSON.stringify(s)
}

/** Parse what storage holds; `null` if missing, malformed or expired at `now`. */
export function parseSession(raw: string | null, now: number = Date.now()): StoredSession | null {
  if (!raw) return null
  try {
    const s = JSON.parse(raw) as Partial<StoredSession>
    if (!s || typeof s.token !== 'string' || !s.token) return null
    const exp = typeof s.expiresAt === 'string' ? Date.parse(s.expiresAt) : NaN
    if (!Number.isNaN(exp) && exp <= now) return null
    return { token: s.token, expiresAt: s.expiresAt ?? '', user: s.user ?? null }
  } catch {
    return null
  }
}
