import { flushPromises, mount } from '@vue/test-utils'
import type { FormInstance } from 'element-plus'
import { ElForm } from 'element-plus/es/components/form/index.mjs'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, reactive, ref } from 'vue'

import { $, fieldError, settle, type } from '@/pages/company/basic-data/__tests__/helpers'
import NewPasswordFields from '@/pages/company/account/NewPasswordFields.vue'
import { applyServerErrors } from '@/utils/forms'

/** The fields in a bare el-form whose model holds what they bind to, as the three pages have it. */
function mountInForm() {
  const form = reactive({ new_password: '', confirm: '' })
  const formRef = ref<FormInstance>()
  const Host = defineComponent({
    setup: () => () =>
      h(ElForm, { ref: formRef, model: form }, () =>
        h(NewPasswordFields, {
          modelValue: form.new_password,
          'onUpdate:modelValue': (value: string) => (form.new_password = value),
          confirm: form.confirm,
          'onUpdate:confirm': (value: string) => (form.confirm = value),
          newTestid: 'pw-new',
          confirmTestid: 'pw-confirm',
        }),
      ),
  })
  mount(Host, { attachTo: document.body })
  const validate = async () => {
    const ok = await formRef.value!.validate().catch(() => false)
    await settle()
    return ok
  }
  return { form, formRef, validate }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('NewPasswordFields', () => {
  it('binds both fields and hints the password rule', async () => {
    const { form } = mountInForm()
    await flushPromises()
    expect(($('pw-new') as HTMLInputElement).placeholder).toBe('至少 10 位，须同时包含字母和数字')
    expect(($('pw-new') as HTMLInputElement).type).toBe('password')
    expect(document.body.textContent).toContain('新密码')
    expect(document.body.textContent).toContain('确认新密码')
    await type('pw-new', 'New-pass-2027')
    await type('pw-confirm', 'New-pass-2028')
    expect(form).toEqual({ new_password: 'New-pass-2027', confirm: 'New-pass-2028' })
  })

  it('requires both, then refuses two different passwords, then passes when they match', async () => {
    const { validate } = mountInForm()
    await flushPromises()
    expect(await validate()).toBe(false)
    expect(fieldError('pw-new')).toBe('请填写新密码')
    expect(fieldError('pw-confirm')).toBe('请填写确认新密码')

    await type('pw-new', 'New-pass-2027')
    await type('pw-confirm', 'New-pass-2028')
    expect(await validate()).toBe(false)
    expect(fieldError('pw-new')).toBeNull()
    expect(fieldError('pw-confirm')).toBe('两次输入的密码不一致')

    await type('pw-confirm', 'New-pass-2027')
    expect(await validate()).toBe(true)
    expect(fieldError('pw-confirm')).toBeNull()
  })

  it('compares with the password as it is now, not as it was', async () => {
    const { validate } = mountInForm()
    await flushPromises()
    await type('pw-new', 'New-pass-2027')
    await type('pw-confirm', 'New-pass-2027')
    expect(await validate()).toBe(true)
    await type('pw-new', 'Other-pass-2027')
    expect(await validate()).toBe(false)
    expect(fieldError('pw-confirm')).toBe('两次输入的密码不一致')
  })

  it('shows the server’s new_password error under its field', async () => {
    const { formRef } = mountInForm()
    await flushPromises()
    const unplaced = applyServerErrors(formRef.value, { new_password: ['密码太常见'] })
    await settle()
    expect(unplaced).toEqual([])
    expect(fieldError('pw-new')).toBe('密码太常见')
  })
})
