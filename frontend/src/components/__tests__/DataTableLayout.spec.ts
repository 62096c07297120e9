import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import DataTable from '@/components/DataTable.vue'
import type { TableColumn } from '@/components/types'
import { jsonResponse, mockFetch } from '@/test/http'

const columns: TableColumn[] = [
  { prop: 'name', label: '姓名' },
  { prop: 'address', label: '地址' },
  { prop: 'house', label: '房屋' },
  { prop: 'note', label: '备注', tooltip: false },
]

const rows = [
  { id: 1, name: '王芳', address: '杭州市西湖区文三路 88 号', house: '1栋101', note: '—' },
]

function mountTable() {
  mockFetch(() => jsonResponse({ count: 1, next: null, previous: null, results: rows }))
  return mount(DataTable, {
    props: { endpoint: '/api/v1/residents/', columns },
    slots: {
      'cell-house':
        '<template #cell-house="{ row }"><a class="house">{{ row.house }}</a></template>',
      actions: '<template #actions><button class="act">编辑</button></template>',
    },
    attachTo: document.body,
  })
}

describe('DataTable layout', () => {
  it('gives plain-text cells an overflow tooltip, not slot cells or a column that opts out', async () => {
    const wrapper = mountTable()
    await flushPromises()
    const cells = wrapper.findAll('.el-table__body-wrapper tr.el-table__row td .cell')
    const tooltip = cells.map((c) => c.classes().includes('el-tooltip'))
    // 姓名, 地址: tooltip; 房屋 (slot) and 备注 (tooltip: false): none; 操作: none
    expect(tooltip).toEqual([true, true, false, false, false])
    wrapper.unmount()
  })

  it('titles the operation column and keeps it on the right', async () => {
    const wrapper = mountTable()
    await flushPromises()
    const headers = wrapper.findAll('.el-table__header-wrapper th')
    const last = headers[headers.length - 1]
    expect(last.text()).toBe('操作')
    expect(last.classes()).toContain('el-table-fixed-column--right')
    expect(wrapper.find('td.actions-column .act').exists()).toBe(true)
    wrapper.unmount()
  })
})
