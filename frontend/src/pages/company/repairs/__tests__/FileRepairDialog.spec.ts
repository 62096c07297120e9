import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  TREE,
  type,
} from '../../basic-data/__tests__/helpers'
import FileRepairDialog from '../FileRepairDialog.vue'
import RepairOrdersPage from '../RepairOrdersPage.vue'
import { CATEGORIES, detail, jpeg, order, photo, pickPhotos, WORKERS } from './fixtures'

function backend() {
  let uploaded = 0
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
    'GET /api/v1/repair-workers/': () => jsonResponse(WORKERS),
    'GET /api/v1/repair-orders/': () => page([order()]),
    'GET /api/v1/repair-orders/7/': () => jsonResponse(detail()),
    'POST /api/v1/repair-orders/': () => jsonResponse(detail(), 201),
    'POST /api/v1/repair-photos/': () => {
      uploaded += 1
      return jsonResponse(photo(200 + uploaded), 201)
    },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('代业主报修', () => {
  it('files for an owner with the photos that are left after one is removed', async () => {
    const all = backend()
    const { wrapper } = await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: ['repairs.dispatch'],
      modules: ['repairs'],
    })
    await click('repair-file')
    const dialog = wrapper.findComponent(FileRepairDialog)
    dialog.findComponent({ name: 'ElCascader' }).vm.$emit('update:modelValue', [1, 2])
    dialog.findComponent({ name: 'RemoteSelect' }).vm.$emit('update:modelValue', 11)
    await flushPromises()
    await type('file-description', '卫生间漏水')
    await pickPhotos('file-photos-input', [jpeg('a.jpg'), jpeg('b.jpg'), jpeg('c.jpg')])
    expect(calls(all, 'POST', '/api/v1/repair-photos/')).toHaveLength(3)
    await click('file-photos-remove-202')
    expect(document.querySelectorAll('[data-testid="file-photos-photo"]')).toHaveLength(2)
    await click('repair-file-dialog-submit')

    const filed = calls(all, 'POST', '/api/v1/repair-orders/')
    expect(filed).toHaveLength(1)
    expect(bodyOf(filed[0]!)).toMatchObject({
      category: 2,
      house: 11,
      description: '卫生间漏水',
      photos: [201, 203],
    })
    expect($('file-photos-error')).toBeNull()
  })

  it('shows a refused upload under the photos and files without it', async () => {
    const all = fakeApi({
      'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
      'GET /api/v1/repair-categories/': () => jsonResponse(CATEGORIES),
      'GET /api/v1/repair-orders/': () => page([]),
      'POST /api/v1/repair-photos/': () =>
        jsonResponse(
          { code: 'invalid', message: '图片无法识别', fields: { file: ['图片无法识别'] } },
          400,
        ),
    })
    await mountPage(RepairOrdersPage, {
      path: '/repairs/orders',
      permissions: ['repairs.dispatch'],
      modules: ['repairs'],
    })
    await click('repair-file')
    await pickPhotos('file-photos-input', [jpeg('broken.jpg')])
    expect(calls(all, 'POST', '/api/v1/repair-photos/')).toHaveLength(1)
    expect($('file-photos-error')?.textContent).toContain('broken.jpg')
    expect(document.querySelectorAll('[data-testid="file-photos-photo"]')).toHaveLength(0)
  })
})
