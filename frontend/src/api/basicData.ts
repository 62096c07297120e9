/**
 * Basic data (基础数据): estates → buildings → units → houses, residents and their occupancies,
 * owners' binding requests, identity corrections and Excel imports.
 *
 * Kept apart from `api/index.ts` so that the pages of this module (all lazy-loaded) carry these
 * endpoints in their own chunk rather than in the login page's initial JS.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type HouseUse = Schemas['UseEnum']
export type HouseStatus = Schemas['HouseStatusEnum']
export type Relation = Schemas['RelationEnum']
export type Gender = Schemas['GenderEnum'] | Schemas['BlankEnum']
export type ReviewStatus = Schemas['BindingStatusEnum']
export type ImportKind = Schemas['KindEnum']
export type ImportStatus = Schemas['ImportStatusEnum']
export type PiiField = Schemas['FieldEnum']

export const HOUSE_USES: readonly HouseUse[] = ['residential', 'shop', 'office', 'storage']
export const HOUSE_STATUSES: readonly HouseStatus[] = [
  'unsold',
  'vacant',
  'occupied',
  'renting',
  'decorating',
]
export const RELATIONS: readonly Relation[] = ['owner', 'family', 'renter']
export type DocumentType = Schemas['IdTypeEnum']
export const DOCUMENT_TYPES: readonly DocumentType[] = [
  'id_card',
  'hk_macao',
  'taiwan',
  'passport',
  'other',
]
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'rejected']
export const IMPORT_KINDS: readonly ImportKind[] = ['houses', 'residents', 'hc_assets']
/** Kinds whose files name no estate (HC's workbooks): the upload asks for one. */
export const IMPORT_KINDS_WITH_ESTATE: readonly ImportKind[] = ['hc_assets']
/**
 * Kinds whose files may name no estate (HC's payment history, arrears and meter sheets): the upload
 * offers one, optional; chosen, the houses are found in it and a 小区 column may be left out
 * (the server's ImportKindSpec.estate).
 */
export const IMPORT_KINDS_WITH_OPTIONAL_ESTATE: readonly ImportKind[] = [
  'meters',
  'fee_history',
  'fee_arrears',
]
/** Kinds uploaded as another system wrote them: no template of ours to download. */
export const IMPORT_KINDS_WITHOUT_TEMPLATE: readonly ImportKind[] = ['hc_assets']
/**
 * What an import kind needs besides basic_data.manage (the server's KIND_PERMISSIONS refuses the
 * upload otherwise): a residents dry run says of every phone and ID number whether it is on file.
 */
export const IMPORT_KIND_PERMISSION: Partial<Record<ImportKind, string>> = {
  residents: 'pii.reveal',
  hc_assets: 'pii.reveal',
}

export type Estate = Schemas['Estate']
export type TreeEstate = Schemas['TreeEstate']
export type TreeBuilding = Schemas['TreeBuilding']
export type TreeUnit = Schemas['TreeUnit']
export type Building = Schemas['Building']
export type House = Schemas['House']
/** The house page: the house with its residents, current first, then history. */
export type HouseDetail = Schemas['HouseDetail']
/** A person's stay in a house as the house page lists it (`id` is the occupancy's). */
export type HouseOccupant = Schemas['HouseOccupant']
export type HouseWrite = Schemas['HouseRequest']
export type GenerateHouses = Schemas['GenerateHousesRequest']
export type Resident = Schemas['Person']
export type ResidentHouse = Schemas['PersonHouse']
/** The resident's owner-app account (mini-program / H5), which staff with owners.manage can disable. */
export type ResidentAccount = Schemas['PersonAccount']
/** Phone and ID number are left out on edit to keep the stored values (the form shows them masked). */
export type ResidentWrite = Schemas['PersonRequest']
export type Occupancy = Schemas['Occupancy']
export type OccupancyWrite = Schemas['OccupancyRequest']
export type Correction = Schemas['Correction']
export type HouseBinding = Schemas['StaffBinding']
export type BindingOverview = Schemas['BindingOverview']
/** What a file would do (after the dry run) or did (after the commit); empty while validating. */
export type ImportCounts = Schemas['ImportCounts']
export type ImportRowError = Schemas['ImportProblem']
/** The job of the import's current phase (dry run, then commit), embedded in the import. */
export type ImportJob = Schemas['ImportJob']
/** An import as the history lists it; read alone (`importsApi.get`) it also carries its problems. */
export type ImportRecord = Schemas['Import'] & {
  errors?: Schemas['ImportDetail']['errors']
  warnings?: Schemas['ImportDetail']['warnings']
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
} as const satisfies Record<string, ApiPath>

export const estatesApi = {
  tree: () => api.get('/api/v1/estates/tree/'),
  get: (id: number) => api.get('/api/v1/estates/{id}/', { path: { id } }),
  create: (body: Schemas['EstateRequest']) => api.post('/api/v1/estates/', body),
  update: (id: number, body: Schemas['PatchedEstateRequest']) =>
    api.patch('/api/v1/estates/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/estates/{id}/', { path: { id } }),
}

export const buildingsApi = {
  get: (id: number) => api.get('/api/v1/buildings/{id}/', { path: { id } }),
  create: (body: Schemas['BuildingRequest']) => api.post('/api/v1/buildings/', body),
  update: (id: number, body: Schemas['PatchedBuildingRequest']) =>
    api.patch('/api/v1/buildings/{id}/', body, { path: { id } }),
  remove: (id: number) => api.delete('/api/v1/buildings/{id}/', { path: { id } }),
  generateHouses: (id: number, body: GenerateHouses) =>
    api.post('/api/v1/buildings/{id}/generate-houses/', body, { path: { id } }),
}

export const housesApi = {
  get: (id: number) => api.get('/api/v1/houses/{id}/', { path: { id } }),
  search: (search: string, filters: { estate?: number; building?: number; unit?: number } = {}) =>
    api.get('/api/v1/houses/', { query: { search, page_size: 20, ...filters } }),
  create: (body: HouseWrite) => api.post('/api/v1/houses/', body),
  update: (id: number, body: Schemas['PatchedHouseRequest']) =>
    api.patch('/api/v1/houses/{id}/', body, { path: { id } }),
}

export const residentsApi = {
  get: (id: number) => api.get('/api/v1/residents/{id}/', { path: { id } }),
  /** Name search, or an exact 11-digit phone (matched by the server's blind index). */
  search: (term: string) =>
    api.get('/api/v1/residents/', {
      query: /^\d{11}$/.test(term)
        ? { phone: term, page_size: 20 }
        : { search: term, page_size: 20 },
    }),
  create: (body: ResidentWrite) => api.post('/api/v1/residents/', body),
  update: (id: number, body: Schemas['PatchedPersonRequest']) =>
    api.patch('/api/v1/residents/{id}/', body, { path: { id } }),
  reveal: (id: number, field: PiiField) =>
    api.post('/api/v1/residents/{id}/reveal/', { field }, { path: { id } }),
}

/** Shutting an owner out of the app revokes their tokens at once; enabling lets them sign in anew. */
export const ownerAccountsApi = {
  disable: (id: number) =>
    api.post('/api/v1/owner-accounts/{id}/disable/', undefined, { path: { id } }),
  enable: (id: number) =>
    api.post('/api/v1/owner-accounts/{id}/enable/', undefined, { path: { id } }),
}

export const occupanciesApi = {
  create: (body: OccupancyWrite) => api.post('/api/v1/occupancies/', body),
  update: (id: number, body: Schemas['PatchedOccupancyUpdateRequest']) =>
    api.patch('/api/v1/occupancies/{id}/', body, { path: { id } }),
  moveOut: (id: number, movedOut: string) =>
    api.post('/api/v1/occupancies/{id}/move-out/', { moved_out: movedOut }, { path: { id } }),
}

export const correctionsApi = {
  approve: (id: number) =>
    api.post('/api/v1/resident-corrections/{id}/approve/', undefined, { path: { id } }),
  reject: (id: number, reason: string) =>
    api.post('/api/v1/resident-corrections/{id}/reject/', { reason }, { path: { id } }),
}

export const bindingsApi = {
  /** Houses bound vs not, and requests waiting: the head of the binding page. */
  overview: () => api.get('/api/v1/house-bindings/overview/'),
  approve: (id: number) =>
    api.post('/api/v1/house-bindings/{id}/approve/', undefined, { path: { id } }),
  reject: (id: number, reason: string) =>
    api.post('/api/v1/house-bindings/{id}/reject/', { reason }, { path: { id } }),
}

export const importsApi = {
  templateUrl: (kind: ImportKind) => `${ENDPOINTS.imports}templates/${kind}/`,
  // (the document types this path's id as digits in a string: the viewset's lookup pattern)
  get: (id: number) => api.get('/api/v1/imports/{id}/', { path: { id: String(id) } }),
  upload(kind: ImportKind, file: File, estate?: number | null) {
    const form = new FormData()
    form.append('kind', kind)
    form.append('file', file)
    if (estate != null) form.append('estate', String(estate))
    return api.post('/api/v1/imports/', form)
  },
  commit: (id: number) =>
    api.post('/api/v1/imports/{id}/commit/', undefined, { path: { id: String(id) } }),
}
