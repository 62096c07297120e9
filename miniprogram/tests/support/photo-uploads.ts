/**
 * The owner's photo uploads as the server answers them (repairs and feedback share the shape): a
 * photo row, and an upload endpoint scripted on the fake backend that records each upload with the
 * token it carried, refuses a HEIC file as the server does, and answers new ids from `firstId` + 1.
 */
import { backend } from './fake-session'

export const ok = (data: unknown, status = 200) => ({ status, data })

export function photoRow(endpoint: string, id: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    url: `${endpoint}${id}/`,
    thumbnail_url: `${endpoint}${id}/thumbnail/`,
    content_type: 'image/jpeg',
    width: 800,
    height: 600,
    size: 1000,
    created_at: '2026-12-03T02:00:00Z',
    ...extra,
  }
}

export function scriptPhotoUploads(endpoint: string, firstId: number, row: (id: number) => object) {
  let next = firstId
  const uploads: { data: unknown; auth?: string }[] = []
  backend.on(`POST ${endpoint}`, (o) => {
    uploads.push({ data: o.data, auth: o.headers?.Authorization })
    if ((o.data as { file: string }).file.endsWith('bad.heic')) {
      const refusal = '只支持 JPEG、PNG、WebP 图片'
      return ok({ code: 'invalid', message: refusal, fields: { file: [refusal] } }, 400)
    }
    next += 1
    return ok(row(next), 201)
  })
  return uploads
}
