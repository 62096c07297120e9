import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import DataTable from '@/components/DataTable.vue'
import type { TableColumn, TableFilter } from '@/components/types'
import { jsonResponse, mockFetch, queryOf, type MockCall } from '@/test/http'

const columns: TableColumn[] = [
  { prop: 'username', label: '用户名', sortable: true },
  { prop: 'name', label: '姓名', sortable: true, sortField: 'full_name' },
]
const filters: TableFilter[] = [
  { key: 'search', label: '搜索', type: 'text' },
  {
    key: 'role',
    label: '角色',
    type: 'select',
    options: [
      { label: '保安', value: 'guard' },
      { label: '收银员', value: 'cashier' },
    ],
  },
]

const page = (results: Record<string, unknown>[], count = results.length) =>
  jsonResponse({ count, next: null, previous: null, results })

function mountTable(handler: (call: MockCall) => Response) {
  const calls = mockFetch(handler)
  const wrapper = mount(DataTable, {
    props: { endpoint: '/api/v1/users/', columns, filters, searchDelay: 0 },
    attachTo: document.body,
  })
  return { calls, wrapper }
}

type TableVm = { filterQuery: Record<string, unknown>; page: number; total: number }

describe('DataTable', () => {
  it('loads the first page and renders the rows', async () => {
    const { calls, wrapper } = mountTable(() =>
      page(
        [
          { id: 1, username: 'wang', name: '王芳' },
          { id: 2, username: 'li', name: null },
        ],
        42,
      ),
    )
    await flushPromises()

    expect(calls).toHaveLength(1)
    expect(calls[0].url.startsWith('/api/v1/users/?')).toBe(true)
    expect(queryOf(calls[0].url)).toEqual({ page: '1', page_size: '20' })
    const text = wrapper.find('[data-testid="table"]').text()
    expect(text).toContain('wang')
    expect(text).toContain('王芳')
    expect(text).toContain('—')
    expect(wrapper.find('[data-testid="table-pagination"]').text()).toContain('42')
    expect(wrapper.find('[data-testid="table-empty"]').exists()).toBe(false)
  })

  it('shows the empty state when there are no rows', async () => {
    const { wrapper } = mountTable(() => page([]))
    await flushPromises()
    expect(wrapper.find('[data-testid="table-empty"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="table-error"]').exists()).toBe(false)
  })

  it('shows the error and retries on demand', async () => {
    let fail = true
    const { calls, wrapper } = mountTable(() =>
      fail
        ? jsonResponse({ code: 'server_error', message: '数据库不可用', fields: {} }, 500)
        : page([{ id: 1, username: 'zhao', name: '赵' }]),
    )
    await flushPromises()
    const error = wrapper.find('[data-testid="table-error"]')
    expect(error.exists()).toBe(true)
    expect(error.text()).toContain('数据库不可用')
    expect(wrapper.find('[data-testid="table-empty"]').exists()).toBe(false)

    fail = false
    await wrapper.find('[data-testid="table-retry"]').trigger('click')
    await flushPromises()
    expect(calls).toHaveLength(2)
    expect(wrapper.find('[data-testid="table-error"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('zhao')
  })

  it('sorts on the server using the sort field', async () => {
    const { calls, wrapper } = mountTable(() => page([{ id: 1, username: 'a', name: 'b' }]))
    await flushPromises()
    const table = wrapper.findComponent({ name: 'ElTable' })
    table.vm.$emit('sort-change', { prop: 'name', order: 'descending', column: null })
    await flushPromises()
    expect(queryOf(calls[1].url)).toMatchObject({ ordering: '-full_name', page: '1' })

    table.vm.$emit('sort-change', { prop: 'username', order: 'ascending', column: null })
    await flushPromises()
    expect(queryOf(calls[2].url).ordering).toBe('username')

    table.vm.$emit('sort-change', { prop: 'username', order: null, column: null })
    await flushPromises()
    expect(queryOf(calls[3].url).ordering).toBeUndefined()
  })

  it('filters and goes back to page 1', async () => {
    const { calls, wrapper } = mountTable(() => page([{ id: 1, username: 'a', name: 'b' }], 100))
    await flushPromises()
    wrapper.findComponent({ name: 'ElPagination' }).vm.$emit('current-change', 3)
    await flushPromises()
    expect(queryOf(calls[1].url).page).toBe('3')

    await wrapper.find('input[data-testid="filter-search"]').setValue('王')
    await flushPromises()
    expect(queryOf(calls[2].url)).toMatchObject({ search: '王', page: '1' })

    const select = wrapper.findAllComponents({ name: 'ElSelect' })[0]
    select.vm.$emit('update:modelValue', 'guard')
    select.vm.$emit('change', 'guard')
    await flushPromises()
    expect(queryOf(calls[calls.length - 1].url)).toMatchObject({
      search: '王',
      role: 'guard',
      page: '1',
    })
    expect((wrapper.vm as unknown as TableVm).filterQuery).toEqual({ search: '王', role: 'guard' })
  })

  it('exports with the current filters and ordering but no paging', async () => {
    const { calls, wrapper } = mountTable((call) =>
      queryOf(call.url).format === 'xlsx'
        ? new Response(new Blob(['x']), { status: 200 })
        : page([{ id: 1, username: 'a', name: 'b' }]),
    )
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }),
    )
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await flushPromises()

    await wrapper.find('input[data-testid="filter-search"]').setValue('李')
    wrapper.findComponent({ name: 'ElTable' }).vm.$emit('sort-change', {
      prop: 'username',
      order: 'descending',
    })
    await flushPromises()
    await wrapper.find('[data-testid="table-export"]').trigger('click')
    await flushPromises()

    const exportCall = calls[calls.length - 1]
    expect(queryOf(exportCall.url)).toEqual({ search: '李', ordering: '-username', format: 'xlsx' })
    expect(exportCall.url.startsWith('/api/v1/users/?')).toBe(true)
    expect(click).toHaveBeenCalledTimes(1)
  })

  it('renders a cell slot', async () => {
    mockFetch(() => page([{ id: 1, username: 'a', name: 'b' }]))
    const wrapper = mount(DataTable, {
      props: { endpoint: '/api/v1/users/', columns },
      slots: {
        'cell-name':
          '<template #cell-name="{ row }"><b class="custom">*{{ row.name }}*</b></template>',
      },
    })
    await flushPromises()
    expect(wrapper.find('.custom').text()).toBe('*b*')
  })

  it('sends outside parameters with the list and reloads from page 1 when they change', async () => {
    const calls = mockFetch(() => page([{ id: 1, username: 'a', name: 'b' }], 100))
    const wrapper = mount(DataTable, {
      props: {
        endpoint: '/api/v1/houses/',
        columns,
        filters: [
          { key: 'status', label: '状态', type: 'select', options: [], initial: 'vacant' },
          { key: 'area_min', label: '面积下限', type: 'number' },
        ],
        query: { building: 3 },
        searchDelay: 0,
      },
    })
    await flushPromises()
    expect(queryOf(calls[0].url)).toEqual({
      building: '3',
      status: 'vacant',
      page: '1',
      page_size: '20',
    })

    wrapper.findComponent({ name: 'ElPagination' }).vm.$emit('current-change', 2)
    await flushPromises()
    await wrapper.setProps({ query: { unit: 12 } })
    await flushPromises()
    expect(queryOf(calls[calls.length - 1].url)).toEqual({
      unit: '12',
      status: 'vacant',
      page: '1',
      page_size: '20',
    })

    // An equal object is not a change.
    const before = calls.length
    await wrapper.setProps({ query: { unit: 12 } })
    await flushPromises()
    expect(calls).toHaveLength(before)

    const area = wrapper.find('input[data-testid="filter-area_min"]')
    expect(area.attributes('type')).toBe('number')
    await area.setValue('80')
    await flushPromises()
    expect(queryOf(calls[calls.length - 1].url)).toMatchObject({ unit: '12', area_min: '80' })

    // Reset returns to how the list opened: the initial status stays, the rest goes.
    await wrapper.find('[data-testid="filter-reset"]').trigger('click')
    await flushPromises()
    expect(queryOf(calls[calls.length - 1].url)).toEqual({
      unit: '12',
      status: 'vacant',
      page: '1',
      page_size: '20',
    })
  })

  it('does not render cells for the empty row Element Plus measures columns with', async () => {
    mockFetch(() => page([{ id: 1, username: 'a', name: 'b' }]))
    const wrapper = mount(DataTable, {
      props: { endpoint: '/api/v1/users/', columns },
      slots: {
        'cell-name':
          '<template #cell-name="{ row }"><b class="custom">{{ row.name.toUpperCase() }}</b></template>',
      },
    })
    await flushPromises()
    expect(wrapper.findAll('.custom').map((c) => c.text())).toEqual(['B'])
  })
})
