/**
 * 报修: the owner files a repair (a house of theirs, or a public place of their estate; a category
 * of two levels; urgency; description; a preferred visit time), follows their repairs and each one's
 * timeline, cancels before work starts, adds up to 9 photos (stores/photoPicks: each uploaded when
 * picked, removable before sending), confirms and rates after completion, reopens within the
 * company's days — over an API client passed in (the pages share the one in stores/session.ts).
 * What the owner may do with an order is the server's `actions`; the store offers only those.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { Estate, OwnerHouse, OwnerRepair, OwnerRepairDetail, RepairCategory, Urgency } from '@/api/types'
import { t } from '@/i18n'
import { createPager } from './pager'
import { messageOf, moveDetail } from './detailMoves'
import { addPhotos as addPhotosTo, removePhoto, stillUploading, type PhotoSource, type PickedPhoto } from './photoPicks'

export type RepairsApi = Pick<
  ApiClient,
  | 'repairCategories'
  | 'ownerRepairs'
  | 'ownerRepair'
  | 'fileRepair'
  | 'cancelRepair'
  | 'confirmRepair'
  | 'reopenRepair'
  | 'ownerHouses'
  | 'estates'
  | 'uploadRepairPhoto'
>
export { MAX_PHOTOS, type PhotoSource, type PickedPhoto } from './photoPicks'

export const URGENCIES: readonly Urgency[] = ['normal', 'urgent', 'emergency']
/** The tags an owner can tick when rating (the server keeps up to 5, each up to 20 characters). */
export const RATING_TAGS = ['onTime', 'skilled', 'polite', 'tidy', 'fairPrice'] as const
export const DESCRIPTION_MAX = 1000

function blankForm() {
  return {
    top: null as number | null,
    category: null as number | null,
    house: null as number | null,
    estate: null as number | null,
    location: '',
    urgency: '' as Urgency | '',
    description: '',
    /** 'YYYY-MM-DD' and 'HH:mm' from the pickers; both or neither. */
    visitDate: '',
    visitTime: '',
    photos: [] as PickedPhoto[],
  }
}

export function createRepairsStore(api: RepairsApi, source: PhotoSource) {
  const state = reactive({
    categories: [] as RepairCategory[],
    houses: [] as OwnerHouse[],
    estates: [] as Estate[],
    form: blankForm(),
    errors: {} as Record<string, string>,
    submitting: false,
    uploading: false,
    detail: null as OwnerRepairDetail | null,
    detailError: '',
    busy: false,
    rating: { stars: 0, tags: [] as string[], note: '' },
  })

  const tops = () => state.categories.filter((c) => c.parent === null)
  const childrenOf = (id: number | null) => state.categories.filter((c) => id !== null && c.parent === id)
  const picked = () => state.categories.find((c) => c.id === state.form.category) ?? null
  const isPublic = () => picked()?.scope === 'public'

  /** My items, a page at a time as I scroll. */
  const list = createPager<OwnerRepair>((page) => api.ownerRepairs(page))

  /** The filing form: categories, my houses and the estates they are in (for a public place). */
  async function prepare(): Promise<void> {
    state.form = blankForm()
    state.errors = {}
    try {
      const [categories, houses, estates] = await Promise.all([api.repairCategories(), api.ownerHouses(), api.estates()])
      state.categories = categories
      state.houses = houses
      const mine = new Set(houses.map((h) => h.estate_name))
      state.estates = estates.filter((e) => mine.has(e.name))
      if (houses.length === 1) state.form.house = houses[0].house
      if (state.estates.length === 1) state.form.estate = state.estates[0].id
    } catch (err) {
      state.errors = { form: messageOf(err) }
    }
  }

  /** A top category: itself when it has no children, else the owner picks a child next. */
  function pickTop(id: number): void {
    state.form.top = id
    state.form.category = childrenOf(id).length ? null : id
    delete state.errors.category
  }
  function pickCategory(id: number): void {
    state.form.category = id
    delete state.errors.category
  }

  const addPhotos = () => addPhotosTo(state, source, (path) => api.uploadRepairPhoto(path))

  function check(): boolean {
    const f = state.form
    const errors: Record<string, string> = {}
    if (!picked()) errors.category = t('repairs.errors.category')
    else if (isPublic()) {
      if (!f.estate) errors.estate = t('repairs.errors.estate')
      if (!f.location.trim()) errors.location = t('repairs.errors.location')
    } else if (!f.house) errors.house = t('repairs.errors.house')
    if (!f.description.trim()) errors.description = t('repairs.errors.description')
    if (!!f.visitDate !== !!f.visitTime) errors.preferred_visit_at = t('repairs.errors.visit')
    state.errors = errors
    return Object.keys(errors).length === 0
  }

  /** Files the repair; the new order (with its number) or null when something needs fixing. */
  async function submit(): Promise<OwnerRepairDetail | null> {
    if (!check() || state.submitting) return null
    if (stillUploading(state)) return null
    const f = state.form
    state.submitting = true
    try {
      const order = await api.fileRepair({
        category: f.category!,
        description: f.description.trim(),
        ...(f.urgency ? { urgency: f.urgency } : {}),
        ...(isPublic() ? { estate: f.estate, location: f.location.trim() } : { house: f.house }),
        preferred_visit_at: f.visitDate ? `${f.visitDate}T${f.visitTime}:00+08:00` : null,
        ...(f.photos.length ? { photos: f.photos.map((p) => p.id) } : {}),
      })
      state.form = blankForm()
      return order
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        state.errors = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, v[0] ?? '']))
      } else state.errors = { form: messageOf(err) }
      return null
    } finally {
      state.submitting = false
    }
  }

  async function open(id: number): Promise<void> {
    state.detailError = ''
    state.rating = { stars: 0, tags: [], note: '' }
    try {
      state.detail = await api.ownerRepair(id)
    } catch (err) {
      state.detail = null
      state.detailError = messageOf(err)
    }
  }

  const act = (run: () => Promise<OwnerRepairDetail>) => moveDetail<OwnerRepairDetail>(state, run)

  const can = (action: string) => !!state.detail?.actions.includes(action)

  function toggleTag(tag: string): void {
    const tags = state.rating.tags
    const at = tags.indexOf(tag)
    if (at >= 0) tags.splice(at, 1)
    else if (tags.length < 5) tags.push(tag)
  }

  return {
    list: list.state,
    state,
    tops,
    childrenOf,
    picked,
    isPublic,
    load: list.load,
    loadMore: list.loadMore,
    prepare,
    pickTop,
    pickCategory,
    addPhotos,
    removePhoto: (id: number) => removePhoto(state, id),
    submit,
    open,
    can,
    toggleTag,
    cancel: (note = '') => act(() => api.cancelRepair(state.detail!.id, note)),
    reopen: (note = '') => act(() => api.reopenRepair(state.detail!.id, note)),
    confirm: () => {
      if (state.rating.stars < 1) {
        state.detailError = t('repairs.errors.stars')
        return Promise.resolve(false)
      }
      const r = state.rating
      return act(() =>
        api.confirmRepair(state.detail!.id, {
          rating: r.stars,
          tags: r.tags.map((tag) => t(`repairs.tags.${tag}`)),
          note: r.note.trim(),
        }),
      )
    },
    reset(): void {
      list.reset()
      state.detail = null
      state.form = blankForm()
      state.errors = {}
    },
  }
}

export type RepairsStore = ReturnType<typeof createRepairsStore>
