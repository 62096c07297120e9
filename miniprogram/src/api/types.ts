/** Shapes of the Django backend's JSON (api/v1). */

export interface SiteBranding {
  display_name: string
  logo_url: string
  primary_color: string
  miniprogram_title: string
}

export interface SiteResponse {
  surface: 'company' | 'platform' | string
  company?: {
    slug: string
    name: string
    branding: Partial<SiteBranding>
  } | null
}

export interface AuthUser {
  id: number | string
  name: string
  phone_masked: string
}

export interface LoginResponse {
  token: string
  expires_at: string
  user: AuthUser
}

export interface SmsSendResponse {
  sent: boolean
  /** Only in the backend's local stand-in/demo mode. */
  debug_code?: string
}

export interface Me extends AuthUser {
  roles: string[]
}

export interface Estate {
  id: number | string
  name: string
}

export interface HouseOption {
  id: number | string
  label: string
}

export type Relation = 'owner' | 'family' | 'renter'
export type BindingStatus = 'pending' | 'approved' | 'rejected'

export type CreateBindingRequest =
  | { house_id: number | string; relation: Relation; name: string }
  | { house_code: string }

export interface Binding {
  id: number | string
  house: { id: number | string; label: string; estate_name: string }
  relation: Relation
  status: BindingStatus
  reason: string | null
  created_at: string
}

/** The backend's error body: `{"code", "message", "fields": {field: [msg]}}`. */
export interface ApiErrorBody {
  code: string
  message: string
  fields?: Record<string, string[]>
}
