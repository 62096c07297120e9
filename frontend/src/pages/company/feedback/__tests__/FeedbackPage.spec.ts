import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Feedback, FeedbackDetail, FeedbackStats } from '@/api/feedback'
import { jsonResponse } from '@/test/http'

import {
  $,
  $$,
  bodyOf,
  calls,
  click,
  fakeApi,
  mountPage,
  page,
  queryOf,
  TREE,
} from '../../basic-data/__tests__/helpers'
import FeedbackDrawer from '../FeedbackDrawer.vue'
import FeedbackPage from '../FeedbackPage.vue'

const HANDLE = ['feedback.handle']
const HANDLERS = [
  { id: 5, name: '李客服' },
  { id: 6, name: '周经理' },
]

const item = (over: Partial<Feedback> = {}): Feedback => ({
  id: 7,
  kind: 'complaint',
  status: 'submitted',
  description: '夜里装修噪音',
  anonymous: false,
  house: 11,
  house_label: '1栋1单元101',
  estate: 1,
  estate_name: '阳光花园',
  owner_name: '张三',
  assignee: null,
  assignee_name: null,
  reply: '',
  replied_at: null,
  resolved_at: null,
  rating: null,
  reply_due_at: '2026-12-04T10:00:00+08:00',
  overdue: false,
  created_at: '2026-12-03T10:00:00+08:00',
  actions: [],
  photos: [],
  ...over,
})

const detail = (over: Partial<FeedbackDetail> = {}): FeedbackDetail => ({
  ...item(over),
  timeline: [
    {
      id: 1,
      transition: 'file',
      from_status: '',
      to_status: 'submitted',
      actor_name: '张三',
      by_owner: true,
      assignee_name: null,
      note: '',
      at: '2026-12-03T10:00:00+08:00',
    },
  ],
  ...over,
})

const STATS: FeedbackStats = {
  date_from: '2026-01-01',
  total: 9,
  by_kind: { complaint: 4, suggestion: 3, consultation: 1, praise: 1 },
  by_month: [],
  late: 2,
  monthly: [],
  rated: 2,
  satisfaction: 4.5,
  overdue: 1,
  open: 3,
}

function backend(current = detail({ actions: ['assign', 'reply', 'close'] })) {
  let state = current
  return fakeApi({
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    'GET /api/v1/feedback-handlers/': () => jsonResponse(HANDLERS),
    'GET /api/v1/feedback-stats/': () => jsonResponse(STATS),
    'GET /api/v1/feedback/': (_call, query) =>
      query.get('format') === 'xlsx'
        ? new Response(new Blob(['x']), { status: 200 })
        : page([
            item({ ...state }),
            item({
              id: 8,
              kind: 'suggestion',
              anonymous: true,
              owner_name: null,
              house: null,
              house_label: null,
              overdue: true,
            }),
          ]),
    [`GET /api/v1/feedback/${current.id}/`]: () => jsonResponse(state),
    [`POST /api/v1/feedback/${current.id}/reply/`]: (call) => {
      state = detail({
        status: 'replied',
        reply: String(bodyOf(call).note),
        assignee: 5,
        assignee_name: '李客服',
        actions: ['reply', 'resolve', 'close'],
        timeline: [
          ...state.timeline,
          {
            id: 2,
            transition: 'reply',
            from_status: 'submitted',
            to_status: 'replied',
            actor_name: '李客服',
            by_owner: false,
            assignee_name: null,
            note: String(bodyOf(call).note),
            at: '2026-12-03T11:00:00+08:00',
          },
        ],
      })
      return jsonResponse(state)
    },
    [`POST /api/v1/feedback/${current.id}/assign/`]: (call) => {
      state = detail({
        status: 'assigned',
        assignee: Number(bodyOf(call).assignee),
        assignee_name: '周经理',
        actions: ['assign', 'reply', 'close'],
      })
      return jsonResponse(state)
    },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const mount = () =>
  mountPage(FeedbackPage, { path: '/feedback', permissions: HANDLE, modules: ['feedback'] })

describe('投诉建议', () => {
  it('shows the figures, the kinds, and marks anonymous and overdue items', async () => {
    backend()
    await mount()
    expect($('stats-total')?.textContent).toContain('9')
    expect($('stats-overdue')?.textContent).toContain('1')
    expect($('stats-satisfaction')?.textContent).toContain('4.5')
    expect($('stats-late')?.textContent).toContain('2')
    expect($('stats-kind-complaint')?.textContent).toContain('投诉 4')
    expect($('kind-7')?.textContent).toContain('投诉')
    expect($('kind-8')?.textContent).toContain('建议')
    expect($('status-7')?.textContent).toContain('待处理')
    expect($('overdue-8')?.textContent).toContain('回复超时')
    expect($('overdue-7')).toBeNull()
    expect(document.body.textContent).toContain('匿名')
  })

  it('sends the filters to the server', async () => {
    const all = backend()
    const { wrapper } = await mount()
    const table = wrapper.findComponent({ name: 'DataTable' })
    expect(table.props('filters').map((f: { key: string }) => f.key)).toEqual([
      'search',
      'kind',
      'status',
      'estate',
      'overdue',
    ])
    expect(calls(all, 'GET', '/api/v1/feedback/')).not.toHaveLength(0)
    expect(queryOf(calls(all, 'GET', '/api/v1/feedback-stats/')[0]!)).toMatchObject({
      months: '12',
    })
  })

  it('exports the list as a workbook with its filters and filing dates', async () => {
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    const anchorClick = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const all = backend()
    const { wrapper } = await mount()
    wrapper
      .findComponent({ name: 'ElDatePicker' })
      .vm.$emit('update:modelValue', ['2026-11-01', '2026-11-30'])
    const kind = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find(
        (c) =>
          c.find('[data-testid="filter-kind"]').exists() ||
          c.attributes('data-testid') === 'filter-kind',
      )!
    kind.vm.$emit('update:modelValue', 'complaint')
    kind.vm.$emit('change', 'complaint')
    await flushPromises()
    const listed = calls(all, 'GET', '/api/v1/feedback/').map(queryOf).at(-1)
    expect(listed).toMatchObject({
      kind: 'complaint',
      created_from: '2026-11-01',
      created_to: '2026-11-30',
    })
    await click('table-export')
    const exported = calls(all, 'GET', '/api/v1/feedback/').map(queryOf).at(-1)
    expect(exported).toEqual({
      kind: 'complaint',
      created_from: '2026-11-01',
      created_to: '2026-11-30',
      format: 'xlsx',
    })
    expect(anchorClick).toHaveBeenCalledTimes(1)
    anchorClick.mockRestore()
  })

  it('opens an item, replies with the text the owner will read, and shows the new step', async () => {
    const all = backend()
    await mount()
    $$('[data-testid="status-7"]')[0]!.closest('tr')!.click()
    await flushPromises()
    expect($$('[data-testid="timeline-entry"]')).toHaveLength(1)
    expect($('feedback-resolve')).toBeNull()
    expect(($('feedback-reply') as HTMLButtonElement).disabled).toBe(true) // nothing written yet
    const note = $('feedback-note') as HTMLTextAreaElement
    note.value = '已联系装修户，晚十点后停工'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    await click('feedback-reply')
    const posted = calls(all, 'POST', '/api/v1/feedback/7/reply/')
    expect(posted).toHaveLength(1)
    expect(bodyOf(posted[0]!)).toEqual({ note: '已联系装修户，晚十点后停工' })
    expect($('detail-status')?.textContent).toContain('已回复')
    expect($$('[data-testid="timeline-entry"]')).toHaveLength(2)
    expect($('feedback-resolve')).not.toBeNull() // now offered: the server's actions say so
  })

  it('assigns to a picked handler', async () => {
    const all = backend()
    const { wrapper } = await mount()
    $$('[data-testid="status-7"]')[0]!.closest('tr')!.click()
    await flushPromises()
    const drawer = wrapper.findComponent(FeedbackDrawer)
    const select = drawer.findComponent({ name: 'ElSelect' })
    expect(select.findAllComponents({ name: 'ElOption' }).map((o) => o.props('label'))).toEqual([
      '李客服',
      '周经理',
    ])
    select.vm.$emit('update:modelValue', 6)
    await flushPromises()
    await click('feedback-assign')
    expect(bodyOf(calls(all, 'POST', '/api/v1/feedback/7/assign/')[0]!)).toEqual({
      assignee: 6,
      note: '',
    })
  })
})
