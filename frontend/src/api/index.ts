import { api, type ApiPath, type Schemas } from './contract'
import { resetCsrf } from './http'
import type { SignupRequest } from './types'

export * from './http'
export type * from './types'
export { api, type Schemas, type PublicSchemas } from './contract'

export const siteApi = {
  get: () => api.get('/api/v1/site/', { handleErrorsLocally: true }),
}

export const authApi = {
  csrf: () => api.get('/api/v1/auth/csrf/'),
  async login(username: string, password: string) {
    const me = await api.post(
      '/api/v1/auth/login/',
      { username, password },
      { handleErrorsLocally: true },
    )
    resetCsrf()
    return me
  },
  async logout(): Promise<void> {
    await api.post('/api/v1/auth/logout/', undefined, { handleErrorsLocally: true })
    resetCsrf()
  },
  /** Whether anyone is signed in here (a 200 either way; no user data). */
  session: () => api.get('/api/v1/auth/session/', { handleErrorsLocally: true }),
  me: () => api.get('/api/v1/me/', { handleErrorsLocally: true }),
  /** 忘记密码: always answers {sent: true}, whether or not the account exists. */
  forgotPassword: (login: string) =>
    api.post('/api/v1/auth/password/forgot/', { login }, { handleErrorsLocally: true }),
  resetPassword: (login: string, code: string, newPassword: string) =>
    api.post(
      '/api/v1/auth/password/reset/',
      { login, code, new_password: newPassword },
      { handleErrorsLocally: true },
    ),
  acceptInvitation: (token: string, newPassword: string) =>
    api.post(
      '/api/v1/auth/password/invitation/',
      { token, new_password: newPassword },
      { handleErrorsLocally: true },
    ),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post(
      '/api/v1/me/password/',
      { current_password: currentPassword, new_password: newPassword },
      { handleErrorsLocally: true },
    ),
}

export const signupApi = {
  create: (body: SignupRequest) =>
    api.post('/api/v1/signups/', body, { handleErrorsLocally: true }),
  status: (id: string) =>
    api.get('/api/v1/signups/{id}/', { path: { id }, handleErrorsLocally: true }),
}

export const brandingApi = {
  get: () => api.get('/api/v1/settings/branding/'),
  update: (body: Schemas['PatchedBrandingRequest']) =>
    api.patch('/api/v1/settings/branding/', body),
  uploadLogo(file: File) {
    const form = new FormData()
    form.append('file', file)
    return api.post('/api/v1/settings/branding/logo/', form)
  },
}

export const agreementsApi = {
  get: () => api.get('/api/v1/settings/agreements/'),
  update: (body: Schemas['PatchedAgreementSettingsRequest']) =>
    api.patch('/api/v1/settings/agreements/', body),
}

export const jobsApi = {
  get: (id: string) => api.get('/api/v1/jobs/{id}/', { path: { id } }),
}

export const USERS_ENDPOINT = '/api/v1/users/' satisfies ApiPath

/** 系统设置 › 员工账号: the password actions on a staff member's account. */
export const usersApi = {
  update: (id: number, body: Schemas['PatchedUserRequest']) =>
    api.patch('/api/v1/users/{id}/', body, { path: { id } }),
  resetPassword: (id: number, mode: 'temporary' | 'invite') =>
    api.post('/api/v1/users/{id}/reset-password/', { mode }, { path: { id } }),
  invite: (id: number) => api.post('/api/v1/users/{id}/invite/', undefined, { path: { id } }),
}
