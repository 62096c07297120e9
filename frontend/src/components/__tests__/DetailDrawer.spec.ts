import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import DetailDrawer from '@/components/DetailDrawer.vue'

describe('DetailDrawer', () => {
  it('shows the details and the timeline newest first', async () => {
    mount(DetailDrawer, {
      props: {
        modelValue: true,
        title: '工单详情',
        items: [
          { label: '编号', value: 'R-001' },
          { label: '备注', value: '' },
        ],
        timeline: [
          { at: '2026-03-01T01:00:00Z', actor: '王芳', action: '创建工单', detail: '厨房漏水' },
          { at: '2026-03-01T03:30:00Z', actor: '李师傅', action: '接单', detail: '' },
        ],
      },
      attachTo: document.body,
    })
    await flushPromises()

    const values = [...document.querySelectorAll('[data-testid="detail-value"]')].map(
      (e) => e.textContent,
    )
    expect(values).toEqual(['R-001', '—'])
    expect(document.body.textContent).toContain('编号')

    const entries = [...document.querySelectorAll('[data-testid="timeline-entry"]')]
    expect(entries).toHaveLength(2)
    expect(entries[0].textContent).toContain('李师傅')
    expect(entries[0].textContent).toContain('2026-03-01 11:30')
    expect(entries[1].textContent).toContain('厨房漏水')
    expect(entries[1].textContent).toContain('2026-03-01 09:00')
    expect(document.querySelector('[data-testid="timeline-empty"]')).toBeNull()
  })

  it('says when there is no activity', async () => {
    mount(DetailDrawer, {
      props: { modelValue: true, title: 't', items: [] },
      attachTo: document.body,
    })
    await flushPromises()
    expect(document.querySelector('[data-testid="timeline-empty"]')?.textContent).toContain(
      '暂无操作记录',
    )
  })
})
