export type ModuleKey =
  'basic_data' | 'fees' | 'service_desk' | 'security' | 'community' | 'analytics' | 'settings'

export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export interface Branding {
  display_name: string
  logo_url: string | null
  primary_color: string
  miniprogram_title: string
}

export interface CompanySite {
  surface: 'company'
  company: { slug: string; name: string; branding: Branding }
}

export interface PublicSite {
  surface: 'public'
  base_domain: string
}

export type Site = CompanySite | PublicSite

export interface Me {
  id: number
  username: string
  name: string
  roles: string[]
  permissions: string[]
  modules: ModuleKey[]
}

export interface SignupRequest {
  company_name: string
  slug: string
  admin_name: string
  admin_phone: string
  admin_email: string
  password: string
}

export interface SignupAccepted {
  id: string | number
  status: SignupStatus['status']
  status_url: string
}

export interface SignupStatus {
  id: string | number
  slug: string
  status: 'pending' | 'provisioning' | 'ready' | 'failed'
  error: string
  admin_url?: string | null
}

export interface Job {
  id: string | number
  kind: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  progress: number
  total: number
  message: string
  result: Record<string, unknown>
}

export interface StaffUser {
  id: number
  username: string
  name: string
  phone_masked: string
  roles: string[]
  is_active: boolean
  last_login: string | null
}

export interface TimelineEntry {
  at: string
  actor: string
  action: string
  detail: string
}
