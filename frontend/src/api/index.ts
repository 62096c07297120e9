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
  me: () => api.get('/api/v1/me/', { handleErrorsLocally: true }),
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

export const jobsApi = {
  get: (id: string) => api.get('/api/v1/jobs/{id}/', { path: { id } }),
}

export const USERS_ENDPOINT = '/api/v1/users/' satisfies ApiPath
