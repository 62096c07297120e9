import { http, resetCsrf } from './http'
import type { Branding, Job, Me, SignupAccepted, SignupRequest, SignupStatus, Site } from './types'

export * from './http'
export type * from './types'

export const siteApi = {
  get: () => http.get<Site>('/api/v1/site/', { handleErrorsLocally: true }),
}

export const authApi = {
  csrf: () => http.get<{ csrf_token: string }>('/api/v1/auth/csrf/'),
  async login(username: string, password: string): Promise<Me> {
    const me = await http.post<Me>(
      '/api/v1/auth/login/',
      { username, password },
      { handleErrorsLocally: true },
    )
    resetCsrf()
    return me
  },
  async logout(): Promise<void> {
    await http.post<void>('/api/v1/auth/logout/', undefined, { handleErrorsLocally: true })
    resetCsrf()
  },
  me: () => http.get<Me>('/api/v1/me/', { handleErrorsLocally: true }),
}

export const signupApi = {
  create: (body: SignupRequest) =>
    http.post<SignupAccepted>('/api/v1/signups/', body, { handleErrorsLocally: true }),
  status: (statusUrl: string) => http.get<SignupStatus>(statusUrl, { handleErrorsLocally: true }),
}

export const brandingApi = {
  get: () => http.get<Branding>('/api/v1/settings/branding/'),
  update: (body: Pick<Branding, 'display_name' | 'primary_color' | 'miniprogram_title'>) =>
    http.patch<Branding>('/api/v1/settings/branding/', body),
  uploadLogo(file: File) {
    const form = new FormData()
    form.append('file', file)
    return http.post<Branding>('/api/v1/settings/branding/logo/', form)
  },
}

export const jobsApi = {
  get: (id: string | number) => http.get<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/`),
}

export const USERS_ENDPOINT = '/api/v1/users/'
