/**
 * 投诉建议: the owner files a complaint, suggestion, question or praise (optionally about one of
 * their houses; a suggestion may be anonymous; up to 9 photos, stores/photoPicks), follows their items with the management's reply and
 * each step, withdraws before it is resolved and rates it once resolved — over an API client passed
 * in (the pages share the one in stores/session.ts). What the owner may do is the server's `actions`.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { FeedbackKind, OwnerFeedback, OwnerFeedbackDetail, OwnerHouse } from '@/api/types'
import { t } from '@/i18n'
import { createPager } from './pager'
import { messageOf, moveDetail } from './detailMoves'
import { addPhotos, removePhoto, stillUploading, type PhotoSource, type PickedPhoto } from './photoPicks'

export type FeedbackApi = Pick<
  ApiClient,
  'ownerFeedbackList' | 'ownerFeedback' | 'fileFeedback' | 'withdrawFeedback' | 'rateFeedback' | 'ownerHouses' | 'uploadFeedbackPhoto'
>

export const KINDS: readonly FeedbackKind[] = ['complaint', 'suggestion', 'consultation', 'praise']
export const DESCRIPTION_MAX = 1000

function blankForm() {
  return {
    kind: '' as FeedbackKind | '',
    house: null as number | null,
    description: '',
    anonymous: false,
    photos: [] as PickedPhoto[],
  }
}

export function createFeedbackStore(api: FeedbackApi, source: PhotoSource) {
  const state = reactive({
    houses: [] as OwnerHouse[],
    form: blankForm(),
    errors: {} as Record<string, string>,
    submitting: false,
    uploading: false,
    detail: null as OwnerFeedbackDetail | null,
    detailError: '',
    busy: false,
    stars: 0,
  })

  /** My items, a page at a time as I scroll. */
  const list = createPager<OwnerFeedback>((page) => api.ownerFeedbackList(page))

  /** The filing form: my houses to pick one from (or none). */
  async function prepare(): Promise<void> {
    state.form = blankForm()
    state.errors = {}
    try {
      state.houses = await api.ownerHouses()
    } catch (err) {
      state.errors = { form: messageOf(err) }
    }
  }

  function pickKind(kind: FeedbackKind): void {
    state.form.kind = kind
    if (kind !== 'suggestion') state.form.anonymous = false // only a suggestion may be anonymous
    delete state.errors.kind
  }

  function check(): boolean {
    const errors: Record<string, string> = {}
    if (!state.form.kind) errors.kind = t('feedback.errors.kind')
    if (!state.form.description.trim()) errors.description = t('feedback.errors.description')
    state.errors = errors
    return Object.keys(errors).length === 0
  }

  /** Files the item; the new item or null when something needs fixing. */
  async function submit(): Promise<OwnerFeedbackDetail | null> {
    if (!check() || state.submitting || stillUploading(state)) return null
    const f = state.form
    state.submitting = true
    try {
      const item = await api.fileFeedback({
        kind: f.kind as FeedbackKind,
        description: f.description.trim(),
        house: f.house,
        anonymous: f.kind === 'suggestion' && f.anonymous,
        ...(f.photos.length ? { photos: f.photos.map((p) => p.id) } : {}),
      })
      state.form = blankForm()
      return item
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
    state.stars = 0
    try {
      state.detail = await api.ownerFeedback(id)
    } catch (err) {
      state.detail = null
      state.detailError = messageOf(err)
    }
  }

  const act = (run: () => Promise<OwnerFeedbackDetail>) => moveDetail<OwnerFeedbackDetail>(state, run)

  return {
    list: list.state,
    state,
    load: list.load,
    loadMore: list.loadMore,
    prepare,
    pickKind,
    addPhotos: () => addPhotos(state, source, (path) => api.uploadFeedbackPhoto(path)),
    removePhoto: (id: number) => removePhoto(state, id),
    submit,
    open,
    can: (action: string) => !!state.detail?.actions.includes(action),
    withdraw: () => act(() => api.withdrawFeedback(state.detail!.id)),
    rate: () => {
      if (state.stars < 1 || state.stars > 5) {
        state.detailError = t('feedback.errors.stars')
        return Promise.resolve(false)
      }
      return act(() => api.rateFeedback(state.detail!.id, state.stars))
    },
    reset(): void {
      list.reset()
      state.detail = null
      state.form = blankForm()
      state.errors = {}
    },
  }
}

export type FeedbackStore = ReturnType<typeof createFeedbackStore>
