import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { reactive } from 'vue'

import { $, settle, signIn, type } from '@/pages/company/basic-data/__tests__/helpers'
import DeskPayForm from '@/pages/company/fees/cashdesk/DeskPayForm.vue'
import { createAppRouter } from '@/router'
import { splitAmount } from '@/utils/money'
import { createMemoryHistory } from 'vue-router'

import { liveChange, type PayForm } from '../desk'

async function mountForm(start: Partial<PayForm> = {}, owing = '223.75') {
  const form = reactive<PayForm>({
    amount: '223.75',
    method: 'cash',
    tendered: '',
    payerName: '张三',
    reference: '',
    note: '',
    ...start,
  })
  const pinia = signIn(['fees.view', 'fees.collect'])
  const router = createAppRouter('company', createMemoryHistory())
  const wrapper = mount(DeskPayForm, {
    props: {
      form,
      'onUpdate:form': (next: PayForm) => Object.assign(form, next),
      split: splitAmount(form.amount, owing),
      change: liveChange(form),
      submitting: false,
    },
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, form }
}

describe('DeskPayForm', () => {
  it('types into the shared form and shows the split and the change it is given', async () => {
    const { wrapper, form } = await mountForm({ amount: '100.00', tendered: '150' })
    await type('desk-amount', '120.50')
    expect(form.amount).toBe('120.50')
    await wrapper.setProps({ split: splitAmount('300', '223.75'), change: liveChange(form) })
    expect($('desk-excess')!.textContent).toContain('76.25')
    expect($('desk-change')!.textContent).toBe('¥29.50')
    wrapper.unmount()
  })

  it('asks for the reference instead of the cash handed over when the method is not cash', async () => {
    const { wrapper } = await mountForm({ method: 'transfer' })
    expect($('desk-tendered')).toBeNull()
    expect($('desk-reference')).not.toBeNull()
    wrapper.unmount()
  })

  it('refuses a bad amount before asking, and puts server errors under their fields', async () => {
    const { wrapper } = await mountForm({ amount: '1.001' })
    const exposed = wrapper.vm as unknown as {
      validate: () => Promise<boolean>
      showServerErrors: (fields: Record<string, string[]>) => string[]
    }
    expect(await exposed.validate()).toBe(false)
    await settle()
    expect($('desk-amount')!.closest('.el-form-item')!.textContent).toMatch(/\S/)
    const left = exposed.showServerErrors({ payerName: ['名字太长。'], other: ['别处的错误。'] })
    await settle()
    expect($('desk-payer-name')!.closest('.el-form-item')!.textContent).toContain('名字太长。')
    expect(left.join()).toContain('别处的错误。')
    wrapper.unmount()
  })

  it('submits on the button and on Enter in the amount', async () => {
    const { wrapper } = await mountForm()
    $('desk-pay')!.click()
    $('desk-amount')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }))
    await flushPromises()
    expect(wrapper.emitted('submit')).toHaveLength(2)
    wrapper.unmount()
  })
})
