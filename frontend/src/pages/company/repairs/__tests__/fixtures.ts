import { flushPromises } from '@vue/test-utils'

import type { RepairOrder, RepairOrderDetail, RepairPhoto } from '@/api/repairs'

export const order = (over: Partial<RepairOrder> = {}): RepairOrder => ({
  id: 7,
  number: 'R20261203-0001',
  status: 'submitted',
  category: 2,
  category_name: '水电 › 管道漏水',
  urgency: 'urgent',
  description: '厨房水管漏水',
  house: 11,
  house_label: '1栋1单元101',
  estate: 1,
  estate_name: '阳光花园',
  location: '',
  preferred_visit_at: null,
  contact_name: '张三',
  worker: null,
  worker_name: null,
  due_at: '2026-12-03T18:00:00+08:00',
  overdue: false,
  completed_at: null,
  rating: null,
  rating_tags: [],
  materials: '',
  fee: null,
  charge: null,
  created_at: '2026-12-03T10:00:00+08:00',
  actions: [],
  photos: [],
  sla_warned_at: null,
  sla_escalated_at: null,
  ...over,
})

export const detail = (over: Partial<RepairOrderDetail> = {}): RepairOrderDetail => ({
  ...order(over),
  timeline: [
    {
      id: 1,
      transition: 'file',
      from_status: '',
      to_status: 'submitted',
      actor_name: '张三',
      worker_name: null,
      note: '',
      at: '2026-12-03T10:00:00+08:00',
      photos: [],
    },
  ],
  ...over,
})

export const CATEGORIES = [
  {
    id: 1,
    parent: null,
    name: '水电',
    path: '水电',
    default_urgency: 'normal',
    sla_hours: {},
    is_paid: false,
    dispatch_mode: 'assign',
    scope: 'in_house',
    is_active: true,
    sort_order: 0,
  },
  {
    id: 2,
    parent: 1,
    name: '管道漏水',
    path: '水电 › 管道漏水',
    default_urgency: 'urgent',
    sla_hours: { urgent: 8 },
    is_paid: false,
    dispatch_mode: 'assign',
    scope: 'in_house',
    is_active: true,
    sort_order: 0,
  },
]

export const WORKERS = [
  { id: 5, name: '赵师傅', open_orders: 2 },
  { id: 6, name: '钱师傅', open_orders: 0 },
]

/** A staff upload as POST repair-photos/ answers it. */
export const photo = (id: number): RepairPhoto => ({
  id,
  kind: '',
  entry: null,
  url: `/api/v1/repair-photos/${id}/`,
  thumbnail_url: `/api/v1/repair-photos/${id}/thumbnail/`,
  content_type: 'image/jpeg',
  width: 800,
  height: 600,
  size: 1000,
  uploaded_by_name: '钱师傅',
  created_at: '2026-12-03T10:00:00+08:00',
})

export const jpeg = (name: string) => new File([new Uint8Array(10)], name, { type: 'image/jpeg' })

/** Pick `files` in the file input with data-testid `testid` (PhotosUpload's `<testid>-input`). */
export async function pickPhotos(testid: string, files: File[]) {
  const input = document.body.querySelector(`[data-testid="${testid}"]`) as HTMLInputElement
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
  await flushPromises()
}
