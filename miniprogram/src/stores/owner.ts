/**
 * The owner's own data once a binding is approved: "my houses" and "my data" (contact details that
 * change at once, identity fields that go to staff). Built over an API client passed in, so the
 * pages share one instance (stores/session.ts) and tests drive it with a fake transport.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type {
  Binding,
  CreateCorrectionRequest,
  OwnerCorrection,
  OwnerHouse,
  OwnerProfile,
  UpdateOwnerContactRequest,
} from '@/api/types'
import { t } from '@/i18n'
import { isCnMobile, maskPhone } from '@/utils/format'
import { idNumberMessage, idNumberProblem, maskIdNumber, normaliseIdNumber } from '@/utils/identity'

export type OwnerApi = Pick<ApiClient, 'ownerHouses' | 'ownerProfile' | 'updateOwnerContact' | 'requestCorrection'>

/** `no_profile`: the backend has no resident record for this account yet (no approved binding). */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'no_profile' | 'error'

/** Backend field limits (tenants/residents/models.py). */
export const NAME_MAX = 50
export const EMERGENCY_CONTACT_MAX = 100

const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : t('errors.generic'))

export function createOwnerStore(api: OwnerApi) {
  const state = reactive({
    houses: null as OwnerHouse[] | null,
    housesStatus: 'idle' as LoadStatus,
    housesError: '',
    profile: null as OwnerProfile | null,
    profileStatus: 'idle' as LoadStatus,
    profileError: '',
  })

  // Bumped on reset (logout, another login): answers to requests made before are dropped, so one
  // owner's data never shows up under the next account on a shared phone.
  let generation = 0

  async function loadHouses(): Promise<void> {
    const gen = generation
    if (state.houses === null) state.housesStatus = 'loading'
    try {
      const houses = await api.ownerHouses()
      if (gen !== generation) return
      state.houses = houses
      state.housesStatus = 'ready'
      state.housesError = ''
    } catch (err) {
      if (gen !== generation) return
      state.housesError = messageOf(err)
      // Keep showing what was loaded before; only a first load fails visibly.
      if (state.houses === null) state.housesStatus = 'error'
    }
  }

  async function loadProfile(): Promise<void> {
    const gen = generation
    if (state.profile === null) state.profileStatus = 'loading'
    try {
      const profile = await api.ownerProfile()
      if (gen !== generation) return
      state.profile = profile
      state.profileStatus = 'ready'
      state.profileError = ''
    } catch (err) {
      if (gen !== generation) return
      if (err instanceof ApiError && err.status === 404 && err.code === 'no_profile') {
        state.profile = null
        state.profileStatus = 'no_profile'
        state.profileError = ''
        return
      }
      state.profileError = messageOf(err)
      if (state.profile === null) state.profileStatus = 'error'
    }
  }

  /** PATCH contact details; the profile shows the new values at once. Errors propagate (ApiError). */
  async function saveContact(body: UpdateOwnerContactRequest): Promise<void> {
    const res = await api.updateOwnerContact(body)
    const current = state.profile
    if (!current) return
    // The answer may be the whole profile or just the changed fields; merge what is there.
    const got = res && typeof res === 'object' ? (res as Partial<OwnerProfile>) : {}
    state.profile = {
      ...current,
      phone_masked:
        typeof got.phone_masked === 'string' ? got.phone_masked : body.phone ? maskPhone(body.phone) : current.phone_masked,
      emergency_contact:
        typeof got.emergency_contact === 'string'
          ? got.emergency_contact
          : body.emergency_contact !== undefined
            ? body.emergency_contact
            : current.emergency_contact,
    }
  }

  /** POST an identity correction; afterwards the profile carries it as `pending_correction`. */
  async function submitCorrection(body: CreateCorrectionRequest): Promise<void> {
    const res = await api.requestCorrection(body)
    const gen = generation
    await loadProfile()
    if (gen !== generation || !state.profile || state.profile.pending_correction) return
    // The reload failed or lagged: show what was sent as pending rather than the old form.
    const got = res && typeof res === 'object' ? (res as Partial<OwnerCorrection>) : {}
    state.profile = {
      ...state.profile,
      pending_correction: {
        id: got.id ?? 0,
        name: typeof got.name === 'string' ? got.name : body.name ?? '',
        id_number_masked:
          typeof got.id_number_masked === 'string' ? got.id_number_masked : body.id_number ? maskIdNumber(body.id_number) : '',
        status: 'pending',
        reason: '',
        created_at: typeof got.created_at === 'string' ? got.created_at : new Date().toISOString(),
        decided_at: null,
      },
    }
  }

  function reset(): void {
    generation++
    state.houses = null
    state.housesStatus = 'idle'
    state.housesError = ''
    state.profile = null
    state.profileStatus = 'idle'
    state.profileError = ''
  }

  return { state, loadHouses, loadProfile, saveContact, submitCorrection, reset }
}

export type OwnerStore = ReturnType<typeof createOwnerStore>

/* ---------------------------------------------------------------- forms */

export interface FormErrors {
  [field: string]: string | undefined
  /** Not tied to one field (nothing changed, network, conflict). */
  form?: string
}

function apiErrors(err: unknown, fields: string[]): FormErrors {
  if (err instanceof ApiError) {
    const errors: FormErrors = {}
    for (const f of fields) errors[f] = err.fieldError(f)
    if (!fields.some((f) => errors[f])) errors.form = err.message
    return errors
  }
  return { form: t('errors.generic') }
}

/**
 * Check the contact form against the current profile. The phone field starts empty (only the
 * masked number is known) and is sent only when filled in; the emergency contact only if changed.
 */
export function validateContact(
  input: { phone: string; emergencyContact: string },
  current: Pick<OwnerProfile, 'emergency_contact'>,
): { body: UpdateOwnerContactRequest | null; errors: FormErrors } {
  const errors: FormErrors = {}
  const body: UpdateOwnerContactRequest = {}
  const phone = input.phone.trim()
  if (phone) {
    if (!/^\d{11}$/.test(phone) || !isCnMobile(phone)) errors.phone = t('myInfo.invalidPhone')
    else body.phone = phone
  }
  const emergency = input.emergencyContact.trim()
  if (emergency.length > EMERGENCY_CONTACT_MAX) errors.emergency_contact = t('myInfo.tooLong', { n: EMERGENCY_CONTACT_MAX })
  else if (emergency !== (current.emergency_contact ?? '').trim()) body.emergency_contact = emergency
  if (errors.phone || errors.emergency_contact) return { body: null, errors }
  if (Object.keys(body).length === 0) return { body: null, errors: { form: t('myInfo.nothingChanged') } }
  return { body, errors }
}

/** A name (if different from the current one) and/or a valid 18-digit ID number; at least one. */
export function validateCorrection(
  input: { name: string; idNumber: string },
  current: Pick<OwnerProfile, 'name'>,
  now?: Date,
): { body: CreateCorrectionRequest | null; errors: FormErrors } {
  const errors: FormErrors = {}
  const body: CreateCorrectionRequest = {}
  const name = input.name.trim()
  if (name.length > NAME_MAX) errors.name = t('myInfo.tooLong', { n: NAME_MAX })
  else if (name && name !== current.name.trim()) body.name = name
  const idNumber = normaliseIdNumber(input.idNumber)
  if (idNumber) {
    const problem = idNumberProblem(idNumber, now)
    if (problem) errors.id_number = idNumberMessage(problem)
    else body.id_number = idNumber
  }
  if (errors.name || errors.id_number) return { body: null, errors }
  if (Object.keys(body).length === 0) return { body: null, errors: { form: t('myInfo.correctionNothing') } }
  return { body, errors }
}

/** The "修改联系方式" form of the my-data page. `submit()` resolves `true` once saved. */
export function createContactForm(store: OwnerStore) {
  const form = reactive({
    open: false,
    phone: '',
    emergencyContact: '',
    errors: {} as FormErrors,
    saving: false,
  })

  function start(): void {
    form.open = true
    form.phone = ''
    form.emergencyContact = store.state.profile?.emergency_contact ?? ''
    form.errors = {}
  }

  function cancel(): void {
    form.open = false
    form.errors = {}
  }

  async function submit(): Promise<boolean> {
    const profile = store.state.profile
    if (!profile || form.saving) return false
    const { body, errors } = validateContact(form, profile)
    form.errors = errors
    if (!body) return false
    form.saving = true
    try {
      await store.saveContact(body)
      form.open = false
      return true
    } catch (err) {
      form.errors = apiErrors(err, ['phone', 'emergency_contact'])
      return false
    } finally {
      form.saving = false
    }
  }

  return Object.assign(form, { start, cancel, submit })
}

/** The "申请修改身份信息" form. `submit()` resolves `true` once the request is with staff. */
export function createCorrectionForm(store: OwnerStore) {
  const form = reactive({
    open: false,
    name: '',
    idNumber: '',
    errors: {} as FormErrors,
    submitting: false,
  })

  function start(): void {
    form.open = true
    form.name = store.state.profile?.name ?? ''
    form.idNumber = ''
    form.errors = {}
  }

  function cancel(): void {
    form.open = false
    form.errors = {}
  }

  async function submit(now?: Date): Promise<boolean> {
    const profile = store.state.profile
    if (!profile || form.submitting) return false
    const { body, errors } = validateCorrection(form, profile, now)
    form.errors = errors
    if (!body) return false
    form.submitting = true
    try {
      await store.submitCorrection(body)
      form.open = false
      return true
    } catch (err) {
      if (err instanceof ApiError && err.code === 'correction_pending') {
        // Someone (another device) already asked: show that request instead of this form.
        await store.loadProfile()
        form.open = false
      }
      form.errors = apiErrors(err, ['name', 'id_number'])
      return false
    } finally {
      form.submitting = false
    }
  }

  return Object.assign(form, { start, cancel, submit })
}

/* ---------------------------------------------------------------- views */

/**
 * Binding requests worth showing under "my houses": every pending one, and a rejected one only
 * while it is the latest word on that house (not since asked again, nor now one of my houses).
 * Newest first.
 */
export function openBindingRequests(bindings: readonly Binding[], houses: readonly OwnerHouse[]): Binding[] {
  const current = new Set(houses.map((h) => String(h.house)))
  const latest = new Map<string, Binding>()
  const newestFirst = [...bindings].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
  for (const b of newestFirst) {
    const key = String(b.house.id)
    if (!latest.has(key)) latest.set(key, b)
  }
  return newestFirst.filter((b) => {
    if (b.status === 'pending') return true
    if (b.status !== 'rejected') return false
    return latest.get(String(b.house.id)) === b && !current.has(String(b.house.id))
  })
}

/** The house the home page shows: the one the owner pays for, else the first. */
export function featuredHouse(houses: readonly OwnerHouse[]): OwnerHouse | null {
  return houses.find((h) => h.is_primary_payer) ?? houses[0] ?? null
}

/** "89.50" → "89.50㎡"; empty when unknown. */
export function areaText(area: string | null | undefined): string {
  const a = (area ?? '').trim()
  return a ? t('myHouses.areaValue', { area: a }) : ''
}
