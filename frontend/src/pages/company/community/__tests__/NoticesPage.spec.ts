import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Notice } from '@/api/notices'
import { jsonResponse } from '@/test/http'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  TREE,
  type,
} from '../../basic-data/__tests__/helpers'
import NoticeEditorDialog from '../NoticeEditorDialog.vue'
import NoticesPage from '../NoticesPage.vue'
import PublishDialog from '../PublishDialog.vue'

const MANAGE = ['notices.manage']
const IMAGE_URL = 'http://alpha.localhost/media/alpha/notices/abc.jpg'

function notice(fields: Partial<Notice> = {}): Notice {
  return {
    id: 5,
    title: '明日停水',
    body: '<p>8:00–12:00 停水</p>',
    kind: 'outage',
    target: 'company',
    estates: [],
    buildings: [],
    status: 'published',
    publish_at: null,
    published_at: '2026-12-03T09:00:00+08:00',
    withdrawn_at: null,
    expires_at: null,
    pinned: true,
    read_count: 1,
    created_at: '2026-12-03T08:00:00+08:00',
    updated_at: '2026-12-03T09:00:00+08:00',
    ...fields,
  }
}

function backend() {
  let created: Notice | null = null
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/notices/': () =>
      page([
        notice(),
        notice({ id: 6, title: '消防演练', kind: 'safety', status: 'draft', pinned: false }),
      ]),
    'POST /api/v1/notice-images/': () => jsonResponse({ url: IMAGE_URL }, 201),
    'POST /api/v1/notices/': (call) => {
      created = notice({
        ...(bodyOf(call) as Partial<Notice>),
        id: 9,
        status: 'draft',
        read_count: 0,
      })
      return jsonResponse(created, 201)
    },
    'POST /api/v1/notices/9/publish/': () => jsonResponse({ ...created!, status: 'published' }),
    'POST /api/v1/notices/6/publish/': (call) =>
      jsonResponse(
        notice({ id: 6, status: 'scheduled', publish_at: String(bodyOf(call).publish_at) }),
      ),
    'POST /api/v1/notices/5/withdraw/': () => jsonResponse(notice({ status: 'withdrawn' })),
    'GET /api/v1/notices/5/stats/': () =>
      jsonResponse({
        read_count: 1,
        recipient_count: 4,
        unread_house_count: 2,
        unread_houses: [
          { id: 101, house: '1栋1单元101', estate_name: '阳光花园' },
          { id: 102, house: '1栋1单元102', estate_name: '阳光花园' },
        ],
      }),
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const mount = () =>
  mountPage(NoticesPage, {
    path: '/community/notices',
    permissions: MANAGE,
    modules: ['community'],
  })

describe('社区公告', () => {
  it('lists notices with kind, status, pin and reads, and offers the moves each status allows', async () => {
    backend()
    await mount()
    expect($('notice-5')?.textContent).toContain('明日停水')
    expect($('pinned-5')).not.toBeNull()
    expect($('pinned-6')).toBeNull()
    expect($('notice-status-5')?.textContent).toContain('已发布')
    expect($('notice-status-6')?.textContent).toContain('草稿')
    expect($('notice-reads-5')?.textContent).toBe('1')
    expect($('notice-reads-6')?.textContent).toBe('—')
    expect($('notice-withdraw-5')).not.toBeNull()
    expect($('notice-publish-5')).toBeNull()
    expect($('notice-publish-6')).not.toBeNull()
    expect($('notice-delete-6')).not.toBeNull()
    expect($('notice-stats-6')).toBeNull()
  })

  it('sends the kind filter to the server', async () => {
    const all = backend()
    const { wrapper } = await mount()
    const kind = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((c) => c.attributes('data-testid') === 'filter-kind')!
    kind.vm.$emit('update:modelValue', 'outage')
    kind.vm.$emit('change', 'outage')
    await flushPromises()
    expect(queryOf(calls(all, 'GET', '/api/v1/notices/').at(-1)!)).toMatchObject({ kind: 'outage' })
  })

  it('writes an outage notice with an uploaded image, then publishes it now', async () => {
    const all = backend()
    const { wrapper } = await mount()
    await click('notice-create')
    await type('notice-title', '3栋停电')
    const editor = wrapper.findComponent(NoticeEditorDialog)
    editor.findAllComponents({ name: 'ElRadioGroup' })[0]!.vm.$emit('update:modelValue', 'outage')
    const area = $('notice-body-area')!
    area.innerHTML = '<p>今晚检修</p>'
    area.dispatchEvent(new Event('input'))
    const input = $('notice-body-file') as HTMLInputElement
    Object.defineProperty(input, 'files', {
      value: [new File(['x'], 'a.png', { type: 'image/png' })],
    })
    input.dispatchEvent(new Event('change'))
    await flushPromises()
    await click('notice-form-submit')

    const upload = calls(all, 'POST', '/api/v1/notice-images/')
    expect(upload).toHaveLength(1)
    expect((upload[0]!.body as FormData).get('file')).toBeInstanceOf(File)
    const sent = bodyOf(calls(all, 'POST', '/api/v1/notices/')[0]!)
    expect(sent).toMatchObject({
      title: '3栋停电',
      kind: 'outage',
      target: 'company',
      pinned: false,
    })
    expect(sent.body).toBe(`<p>今晚检修</p><img src="${IMAGE_URL}" alt="">`)

    // The new draft goes on to publishing.
    expect($('notice-publish')).not.toBeNull()
    await click('notice-publish-submit')
    const published = calls(all, 'POST', '/api/v1/notices/9/publish/')
    expect(published).toHaveLength(1)
    expect(bodyOf(published[0]!)).toEqual({ publish_at: null })
  })

  it('schedules a draft for a time, and withdraws a published notice after asking', async () => {
    const all = backend()
    const { wrapper } = await mount()
    await click('notice-publish-6')
    await click('notice-publish-at')
    const picker = wrapper.findComponent(PublishDialog).findComponent({ name: 'ElDatePicker' })
    picker.vm.$emit('update:modelValue', '2026-12-05T08:00:00+08:00')
    await flushPromises()
    await click('notice-publish-submit')
    const scheduled = calls(all, 'POST', '/api/v1/notices/6/publish/')
    expect(scheduled).toHaveLength(1)
    expect(bodyOf(scheduled[0]!)).toEqual({ publish_at: '2026-12-05T08:00:00+08:00' })

    await click('notice-withdraw-5')
    expect(calls(all, 'POST', '/api/v1/notices/5/withdraw/')).toHaveLength(0) // not before confirming
    await click('notice-withdraw-5-confirm')
    expect(calls(all, 'POST', '/api/v1/notices/5/withdraw/')).toHaveLength(1)
  })

  it('shows the read figures and the unread houses of an outage notice', async () => {
    backend()
    await mount()
    await click('notice-stats-5')
    expect($('stats-reads')?.textContent).toContain('1')
    expect($('stats-recipients')?.textContent).toContain('4')
    expect($('stats-rate')?.textContent).toBe('25%')
    expect($('stats-unread-count')?.textContent).toContain('2 户未读')
    expect($('unread-101')?.textContent).toBe('1栋1单元101')
    expect($('stats-export')).not.toBeNull()
  })

  it('sends users without the permission away from the page', async () => {
    backend()
    const { router } = await mountPage(NoticesPage, {
      path: '/community/notices',
      permissions: ['community.view'],
      modules: ['community'],
    })
    expect(router.currentRoute.value.name).toBe('forbidden')
  })
})
