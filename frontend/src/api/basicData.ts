/**
 * Basic data (基础数据): estates → buildings → units → houses, residents and their occupancies,
 * owners' binding requests, identity corrections and Excel imports.
 *
 * Kept apart from `api/index.ts` so that the pages of this module (all lazy-loaded) carry these
 * endpoints in their own chunk rather than in the login page's initial JS.
 */
import { http } from './http'
import type { Paginated } from './types'

export type HouseUse = 'residential' | 'shop' | 'office' | 'storage'
export type HouseStatus = 'unsold' | 'vacant' | 'occupied' | 'renting' | 'decorating'
export type Relation = 'owner' | 'family' | 'renter'
export type Gender = '' | 'male' | 'female'
export type ReviewStatus = 'pending' | 'approved' | 'rejected'
export type ImportKind = 'houses' | 'residents'
export type ImportStatus = 'validating' | 'invalid' | 'ready' | 'committing' | 'done' | 'failed'

export const HOUSE_USES: readonly HouseUse[] = ['residential', 'shop', 'office', 'storage']
export const HOUSE_STATUSES: readonly HouseStatus[] = [
  'unsold',
  'vacant',
  'occupied',
  'renting',
  'decorating',
]
export const RELATIONS: readonly Relation[] = ['owner', 'family', 'renter']
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'rejected']
export const IMPORT_KINDS: readonly ImportKind[] = ['houses', 'residents']
/**
 * What an import kind needs besides basic_data.manage (the server's KIND_PERMISSIONS refuses the
 * upload otherwise): a residents dry run says of every phone and ID number whether it is on file.
 */
export const IMPORT_KIND_PERMISSION: Partial<Record<ImportKind, string>> = {
  residents: 'pii.reveal',
}

export interface Estate {
  id: number
  name: string
  address: string
  building_count: number
  house_count: number
  occupied_count: number
}

export interface TreeUnit {
  id: number
  name: string
  house_count: number
}

export interface TreeBuilding {
  id: number
  name: string
  floors: number
  house_count: number
  units: TreeUnit[]
}

export interface TreeEstate {
  id: number
  name: string
  house_count: number
  buildings: TreeBuilding[]
}

export interface Building {
  id: number
  estate: number
  estate_name: string
  name: string
  floors: number
  units: { id: number; name: string }[]
  house_count: number
}

export interface House {
  id: number
  label: string
  estate: number
  estate_name: string
  building: number
  building_name: string
  unit: number
  unit_name: string
  number: string
  floor: number
  building_area: string
  usable_area: string
  layout: string
  use: HouseUse
  status: HouseStatus
  fee_coefficient: string
  binding_code: string
  resident_count: number
}

/** A person's stay in a house, as listed on the house page (current first, then history). */
export interface HouseOccupant {
  /** The occupancy's id. */
  id: number
  person: number
  person_name: string
  phone_masked: string
  relation: Relation
  share: string | null
  is_primary_payer: boolean
  moved_in: string | null
  moved_out: string | null
}

export interface HouseDetail extends House {
  residents: HouseOccupant[]
}

export interface HouseWrite {
  unit: number
  number: string
  floor: number
  building_area: string
  usable_area: string
  layout: string
  use: HouseUse
  status: HouseStatus
  fee_coefficient: string
}

export interface GenerateHouses {
  per_floor: number
  building_area: string
  usable_area: string
  layout: string
  use: HouseUse
  status: HouseStatus
  number_format: string
}

export interface ResidentHouse {
  occupancy_id: number
  house: number
  label: string
  estate_name: string
  relation: Relation
  is_primary_payer: boolean
}

/** The resident's owner-app account (mini-program / H5), which staff with owners.manage can disable. */
export interface ResidentAccount {
  id: number
  is_active: boolean
}

export interface Resident {
  id: number
  name: string
  gender: Gender
  phone_masked: string
  id_number_masked: string
  emergency_contact_masked: string
  note: string
  has_account: boolean
  account: ResidentAccount | null
  houses: ResidentHouse[]
}

export interface ResidentWrite {
  name: string
  gender: Gender
  /** Left out on edit to keep the stored value (the form only shows it masked). */
  phone?: string
  id_number?: string
  emergency_contact?: string
  note: string
}

export type PiiField = 'phone' | 'id_number' | 'emergency_contact'

export interface Occupancy {
  id: number
  house: number
  house_label: string
  person: number
  person_name: string
  relation: Relation
  share: string | null
  is_primary_payer: boolean
  moved_in: string | null
  moved_out: string | null
}

export interface OccupancyWrite {
  house: number
  person: number
  relation: Relation
  moved_in: string
  share?: string | null
  is_primary_payer?: boolean
}

export interface Correction {
  id: number
  person: number
  person_name: string
  /** The requested new name, or '' when the name is unchanged. */
  name: string
  /** The requested new ID number (masked), or '' when unchanged. */
  id_number_masked: string
  /** The current (old) ID number, masked. */
  current_id_number_masked: string
  status: ReviewStatus
  reason: string
  created_at: string
  decided_at: string | null
}

export interface HouseBinding {
  id: number
  house: { id: number; label: string; estate_name: string }
  relation: Relation
  name: string
  status: ReviewStatus
  reason: string
  created_at: string
  decided_at: string | null
  user_phone: string
  via_code: boolean
}

/** What a file would do (after the dry run) or did (after the commit); empty while validating. */
export interface ImportCounts {
  rows?: number
  create?: number
  update?: number
  unchanged?: number
  errors?: number
}

export interface ImportRowError {
  /** The row as Excel shows it; null for a problem with the whole file. */
  row: number | null
  /** The column's Chinese header; null for a whole row or the file. */
  column: string | null
  message: string
}

/** The job of the import's current phase (dry run, then commit), embedded in the import. */
export interface ImportJob {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  progress: number
  total: number
  message: string
}

export interface ImportRecord {
  id: number
  kind: ImportKind
  kind_label?: string
  status: ImportStatus
  status_label?: string
  file_name: string
  file_size?: number
  counts: ImportCounts
  /** All problems found; `errors` holds only the first of them. */
  error_total: number
  /** What the server has to say about this import (the dry run's summary, a failure). */
  message: string
  job: ImportJob | null
  /** The annotated report, when the dry run found problems. */
  report_url: string | null
  can_commit: boolean
  created_by_name?: string
  created_at: string
  validated_at?: string | null
  committed_at: string | null
  /** Only in the detail (GET /imports/{id}/), not in the list. */
  errors?: ImportRowError[]
}

const V1 = '/api/v1'

export const ENDPOINTS = {
  estates: `${V1}/estates/`,
  estateTree: `${V1}/estates/tree/`,
  buildings: `${V1}/buildings/`,
  houses: `${V1}/houses/`,
  residents: `${V1}/residents/`,
  occupancies: `${V1}/occupancies/`,
  corrections: `${V1}/resident-corrections/`,
  bindings: `${V1}/house-bindings/`,
  imports: `${V1}/imports/`,
  ownerAccounts: `${V1}/owner-accounts/`,
} as const

const item = (base: string, id: number | string, action = '') =>
  `${base}${encodeURIComponent(id)}/${action ? `${action}/` : ''}`

export const estatesApi = {
  tree: () => http.get<TreeEstate[]>(ENDPOINTS.estateTree),
  get: (id: number) => http.get<Estate>(item(ENDPOINTS.estates, id)),
  create: (body: { name: string; address: string }) => http.post<Estate>(ENDPOINTS.estates, body),
  update: (id: number, body: { name: string; address: string }) =>
    http.patch<Estate>(item(ENDPOINTS.estates, id), body),
  remove: (id: number) => http.delete<void>(item(ENDPOINTS.estates, id)),
}

export const buildingsApi = {
  get: (id: number) => http.get<Building>(item(ENDPOINTS.buildings, id)),
  create: (body: { estate: number; name: string; floors: number; units: string[] }) =>
    http.post<Building>(ENDPOINTS.buildings, body),
  update: (id: number, body: { name: string; floors: number }) =>
    http.patch<Building>(item(ENDPOINTS.buildings, id), body),
  remove: (id: number) => http.delete<void>(item(ENDPOINTS.buildings, id)),
  generateHouses: (id: number, body: GenerateHouses) =>
    http.post<{ created: number }>(item(ENDPOINTS.buildings, id, 'generate-houses'), body),
}

export const housesApi = {
  get: (id: number | string) => http.get<HouseDetail>(item(ENDPOINTS.houses, id)),
  search: (search: string, extra: Record<string, string | number> = {}) =>
    http.get<Paginated<House>>(ENDPOINTS.houses, {
      query: { search, page_size: 20, ...extra },
    }),
  create: (body: HouseWrite) => http.post<House>(ENDPOINTS.houses, body),
  update: (id: number, body: Partial<HouseWrite>) =>
    http.patch<House>(item(ENDPOINTS.houses, id), body),
}

export const residentsApi = {
  get: (id: number) => http.get<Resident>(item(ENDPOINTS.residents, id)),
  /** Name search, or an exact 11-digit phone (matched by the server's blind index). */
  search: (term: string) =>
    http.get<Paginated<Resident>>(ENDPOINTS.residents, {
      query: /^\d{11}$/.test(term)
        ? { phone: term, page_size: 20 }
        : { search: term, page_size: 20 },
    }),
  create: (body: ResidentWrite) => http.post<Resident>(ENDPOINTS.residents, body),
  update: (id: number, body: Partial<ResidentWrite>) =>
    http.patch<Resident>(item(ENDPOINTS.residents, id), body),
  reveal: (id: number, field: PiiField) =>
    http.post<{ value: string }>(item(ENDPOINTS.residents, id, 'reveal'), { field }),
}

/** Shutting an owner out of the app revokes their tokens at once; enabling lets them sign in anew. */
export const ownerAccountsApi = {
  disable: (id: number) => http.post<ResidentAccount>(item(ENDPOINTS.ownerAccounts, id, 'disable')),
  enable: (id: number) => http.post<ResidentAccount>(item(ENDPOINTS.ownerAccounts, id, 'enable')),
}

export const occupanciesApi = {
  create: (body: OccupancyWrite) => http.post<Occupancy>(ENDPOINTS.occupancies, body),
  update: (id: number, body: { share?: string | null; is_primary_payer?: boolean }) =>
    http.patch<Occupancy>(item(ENDPOINTS.occupancies, id), body),
  moveOut: (id: number, movedOut: string) =>
    http.post<Occupancy>(item(ENDPOINTS.occupancies, id, 'move-out'), { moved_out: movedOut }),
}

export const correctionsApi = {
  approve: (id: number) => http.post<Correction>(item(ENDPOINTS.corrections, id, 'approve')),
  reject: (id: number, reason: string) =>
    http.post<Correction>(item(ENDPOINTS.corrections, id, 'reject'), { reason }),
}

export const bindingsApi = {
  approve: (id: number) => http.post<HouseBinding>(item(ENDPOINTS.bindings, id, 'approve')),
  reject: (id: number, reason: string) =>
    http.post<HouseBinding>(item(ENDPOINTS.bindings, id, 'reject'), { reason }),
}

export const importsApi = {
  templateUrl: (kind: ImportKind) => `${ENDPOINTS.imports}templates/${kind}/`,
  get: (id: number) => http.get<ImportRecord>(item(ENDPOINTS.imports, id)),
  upload(kind: ImportKind, file: File) {
    const form = new FormData()
    form.append('kind', kind)
    form.append('file', file)
    return http.post<ImportRecord>(ENDPOINTS.imports, form)
  },
  commit: (id: number) => http.post<ImportRecord>(item(ENDPOINTS.imports, id, 'commit')),
}
