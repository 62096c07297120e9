/** Shapes shared by the API modules, named after the server's documents (see ./contract.ts). */
import type { PublicSchemas, Schemas } from './contract'

/** A module of the web admin (the server lists those a user sees in `me.modules`). */
export type ModuleKey = Schemas['ModulesEnum']

/** One page of a list endpoint (the server's PagePagination). */
export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export type Branding = Schemas['Branding']
export type AgreementSettings = Schemas['AgreementSettings']
export type Site = Schemas['Site']
export type CompanySite = Schemas['CompanySite']
export type Me = Schemas['Me']

export type SignupRequest = PublicSchemas['SignupRequest']
export type SignupStatus = PublicSchemas['SignupStatus']

export type Job = Schemas['Job']
export type StaffUser = Schemas['User']
