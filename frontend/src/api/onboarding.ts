/** 开始使用: the dashboard's first-run checklist (steps ticked by the server from the company's data). */
import { api, type Schemas } from './contract'

export type Onboarding = Schemas['Onboarding']
export type OnboardingStepKey = Schemas['OnboardingStep']['key']

export const onboardingApi = {
  get: () => api.get('/api/v1/onboarding/', { handleErrorsLocally: true }),
  hide: () => api.post('/api/v1/onboarding/hide/', undefined),
  show: () => api.post('/api/v1/onboarding/show/', undefined),
}
