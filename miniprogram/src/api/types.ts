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

/* ---- Owner: my houses and my data (`/api/v1/owner/houses/`, `/api/v1/owner/profile/`) ---- */

/** One of the caller's current houses (an occupancy that has not moved out). */
export interface OwnerHouse {
  occupancy_id: number | string
  house: number | string
  label: string
  estate_name: string
  relation: Relation
  is_primary_payer: boolean
  /** m², a decimal string such as "89.50"; may be empty when staff have not recorded it. */
  building_area: string | null
  layout: string
  /** ISO date "2024-05-01". */
  moved_in: string | null
}

export type Gender = '' | 'male' | 'female'
export type CorrectionStatus = 'pending' | 'approved' | 'rejected'

/**
 * An identity change the owner asked for (tenants/residents/api.py OwnerCorrectionSerializer): only
 * what changes is filled in (`name` or `id_number_masked` may be empty).
 */
export interface OwnerCorrection {
  id: number | string
  name: string
  id_number_masked: string
  status: CorrectionStatus
  /** Staff's reason when rejected. */
  reason: string
  created_at: string
  decided_at: string | null
}

export interface OwnerProfile {
  name: string
  gender: Gender | string
  phone_masked: string
  id_number_masked: string
  emergency_contact: string
  pending_correction: OwnerCorrection | null
  /** The most recently decided request (approved or rejected). */
  last_correction: OwnerCorrection | null
}

/** Contact details change at once. */
export interface UpdateOwnerContactRequest {
  phone?: string
  emergency_contact?: string
}

/** Identity fields go to staff for approval; send only the ones to change. */
export interface CreateCorrectionRequest {
  name?: string
  id_number?: string
}
