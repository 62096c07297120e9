/**
 * Photos an owner adds to a form before sending it (a repair, a complaint): picked on the phone
 * (compressed there: `platform.chooseImages` asks for `sizeType: ['compressed']`), each uploaded as
 * soon as it is picked (the server checks it and strips its location), removable before sending;
 * the form sends the uploads' ids. One helper for every form that takes photos.
 */
import { PlatformError, type Platform } from '@/platform/types'
import { t } from '@/i18n'
import { messageOf } from './detailMoves'

/** Where photos come from: the phone's album or camera. */
export type PhotoSource = Pick<Platform, 'chooseImages'>

/** A photo picked for a form: its id on the server, its local path to show. */
export interface PickedPhoto {
  id: number
  path: string
}
export const MAX_PHOTOS = 9

/** The part of a form's store the photos live in. */
export interface PhotoFormState {
  form: { photos: PickedPhoto[] }
  uploading: boolean
  errors: Record<string, string>
}

/** Uploads one local file; answers the server's photo (its id). */
export type PhotoUpload = (path: string) => Promise<{ id: number }>

/** Pick photos (as many as are left of 9) and upload each; a refused one is named in `errors.photos`. */
export async function addPhotos(state: PhotoFormState, source: PhotoSource, upload: PhotoUpload): Promise<void> {
  const room = MAX_PHOTOS - state.form.photos.length
  if (room <= 0 || state.uploading) return
  let paths: string[]
  try {
    paths = await source.chooseImages(room)
  } catch (err) {
    if (!(err instanceof PlatformError && err.code === 'cancelled')) state.errors = { ...state.errors, photos: t('photos.errors.pick') }
    return
  }
  state.uploading = true
  delete state.errors.photos
  const refused: string[] = []
  try {
    for (const path of paths.slice(0, room)) {
      try {
        const photo = await upload(path)
        state.form.photos.push({ id: photo.id, path })
      } catch (err) {
        refused.push(messageOf(err))
      }
    }
  } finally {
    state.uploading = false
  }
  if (refused.length) state.errors = { ...state.errors, photos: t('photos.errors.upload', { reason: refused[0] }) }
}

export function removePhoto(state: PhotoFormState, id: number): void {
  state.form.photos = state.form.photos.filter((p) => p.id !== id)
}

/** Still uploading: a form says so instead of sending without the photos. */
export function stillUploading(state: PhotoFormState): boolean {
  if (state.uploading) state.errors = { form: t('photos.errors.uploading') }
  return state.uploading
}
