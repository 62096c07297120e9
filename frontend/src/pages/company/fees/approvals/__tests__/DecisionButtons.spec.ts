import { describe, expect, it } from 'vitest'

import { $, click, mountPage } from '@/pages/company/basic-data/__tests__/helpers'
import DecisionButtons from '@/pages/company/fees/approvals/DecisionButtons.vue'

describe('DecisionButtons', () => {
  it('approves or rejects a pending request', async () => {
    const { wrapper } = await mountPage(DecisionButtons, {
      path: '/fees/approvals',
      props: { prefix: 'refund', id: 4, pending: true },
    })
    await click('refund-approve-4')
    await click('refund-reject-4')
    expect(wrapper.emitted('decide')).toEqual([[true], [false]])
    wrapper.unmount()
  })

  it('offers nothing on a decided request', async () => {
    const { wrapper } = await mountPage(DecisionButtons, {
      path: '/fees/approvals',
      props: { prefix: 'waiver', id: 5, pending: false },
    })
    expect($('waiver-approve-5')).toBeNull()
    expect($('waiver-reject-5')).toBeNull()
    wrapper.unmount()
  })
})
