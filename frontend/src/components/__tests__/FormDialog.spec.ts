import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ElFormItem as FormItem } from 'element-plus/es/components/form/index.mjs'
import { defineComponent, h, reactive, ref } from 'vue'

import { ApiError } from '@/api/http'
import FormDialog from '@/components/FormDialog.vue'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function mountDialog(submit: (model: Record<string, unknown>) => Promise<unknown>) {
  const model = reactive({ name: '张三', phone: '13800000000' })
  const open = ref(true)
  const onSuccess = vi.fn()
  const Host = defineComponent({
    setup() {
      return () =>
        h(
          FormDialog,
          {
            modelValue: open.value,
            'onUpdate:modelValue': (v: boolean) => (open.value = v),
            title: '新建员工',
            model,
            submit,
            onSuccess,
          },
          {
            default: () => [
              h(
                'div',
                { class: 'item-name' },
                h(FormItem, { prop: 'name', label: '姓名' }, () => h('input')),
              ),
              h(
                'div',
                { class: 'item-phone' },
                h(FormItem, { prop: 'phone', label: '手机' }, () => h('input')),
              ),
            ],
          },
        )
    },
  })
  const wrapper = mount(Host, { attachTo: document.body })
  return { wrapper, model, open, onSuccess }
}

const body = () => document.body

describe('FormDialog', () => {
  it('submits the model and closes on success', async () => {
    const submit = vi.fn().mockResolvedValue({ id: 7 })
    const { open, onSuccess } = mountDialog(submit)
    await flushPromises()
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()

    expect(submit).toHaveBeenCalledWith({ name: '张三', phone: '13800000000' })
    expect(onSuccess).toHaveBeenCalledWith({ id: 7 })
    expect(open.value).toBe(false)
  })

  it('puts server field errors under the matching form items', async () => {
    const submit = vi.fn().mockRejectedValue(
      new ApiError(400, 'validation_error', '输入有误', {
        phone: ['该手机号已存在'],
        department: ['部门不存在'],
      }),
    )
    const { open } = mountDialog(submit)
    await flushPromises()
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()
    await sleep(150) // Element Plus shows validation state after a 100 ms debounce

    const phoneItem = body().querySelector('.item-phone .el-form-item') as HTMLElement
    expect(phoneItem.classList.contains('is-error')).toBe(true)
    expect(phoneItem.querySelector('.el-form-item__error')?.textContent).toContain('该手机号已存在')
    const nameItem = body().querySelector('.item-name .el-form-item') as HTMLElement
    expect(nameItem.classList.contains('is-error')).toBe(false)
    // A field without a form item is not lost: it goes to the top alert.
    const alert = body().querySelector('[data-testid="form-dialog-error"]')
    expect(alert?.textContent).toContain('department: 部门不存在')
    expect(open.value).toBe(true)
  })

  it('keeps what the user corrected after a server field error, and sends it', async () => {
    const submit = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError(400, 'validation_error', '输入有误', { phone: ['该手机号已存在'] }),
      )
      .mockResolvedValueOnce({ id: 8 })
    const { model, open } = mountDialog(submit)
    await flushPromises()
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()
    await sleep(150)
    model.phone = '13900000000'
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()
    // Element Plus would reset an item still marked "error" (it has no rules) to its first value.
    expect(submit).toHaveBeenLastCalledWith({ name: '张三', phone: '13900000000' })
    expect(model.phone).toBe('13900000000')
    expect(open.value).toBe(false)
  })

  it('shows a non-field error message in the top alert', async () => {
    const submit = vi
      .fn()
      .mockRejectedValue(new ApiError(403, 'permission_denied', '您没有权限创建员工'))
    mountDialog(submit)
    await flushPromises()
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()
    expect(body().querySelector('[data-testid="form-dialog-error"]')?.textContent).toContain(
      '您没有权限创建员工',
    )
    expect(body().querySelector('.el-form-item.is-error')).toBeNull()
  })

  it('does not submit when client validation fails', async () => {
    const submit = vi.fn()
    const model = reactive({ name: '' })
    mount(FormDialog, {
      props: {
        modelValue: true,
        title: 't',
        model,
        submit,
        rules: { name: [{ required: true, message: '必填' }] },
      },
      slots: { default: () => h(FormItem, { prop: 'name' }, () => h('input')) },
      attachTo: document.body,
    })
    await flushPromises()
    ;(body().querySelector('[data-testid="form-dialog-submit"]') as HTMLElement).click()
    await flushPromises()
    expect(submit).not.toHaveBeenCalled()
  })
})
