import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import ImageUpload from '@/components/ImageUpload.vue'

function fileOf(type: string, size: number, name = 'logo') {
  return new File([new Uint8Array(size)], name, { type })
}

async function pick(wrapper: ReturnType<typeof mount>, file: File) {
  const input = wrapper.find('[data-testid="image-upload-input"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

beforeEach(() => {
  vi.stubGlobal(
    'URL',
    Object.assign(URL, {
      createObjectURL: vi.fn(() => 'blob:preview'),
      revokeObjectURL: vi.fn(),
    }),
  )
})

describe('ImageUpload', () => {
  it('rejects other image types without uploading', async () => {
    const upload = vi.fn()
    const wrapper = mount(ImageUpload, { props: { upload } })
    await pick(wrapper, fileOf('image/gif', 100))
    expect(upload).not.toHaveBeenCalled()
    expect(wrapper.find('[data-testid="image-upload-error"]').text()).toContain('PNG、JPEG、WebP')
    expect(wrapper.emitted('error')).toHaveLength(1)
  })

  it('rejects files over 2 MB and accepts exactly 2 MB', async () => {
    const upload = vi.fn().mockResolvedValue('/media/logo.png')
    const wrapper = mount(ImageUpload, { props: { upload } })
    await pick(wrapper, fileOf('image/png', 2 * 1024 * 1024 + 1))
    expect(upload).not.toHaveBeenCalled()
    expect(wrapper.find('[data-testid="image-upload-error"]').text()).toContain('2 MB')

    await pick(wrapper, fileOf('image/png', 2 * 1024 * 1024))
    expect(upload).toHaveBeenCalledTimes(1)
    expect(wrapper.find('[data-testid="image-upload-error"]').exists()).toBe(false)
  })

  it('previews the picked image while uploading, then shows the stored one', async () => {
    let finish: (url: string) => void = () => {}
    const upload = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)))
    const wrapper = mount(ImageUpload, { props: { upload, modelValue: '/media/old.png' } })
    expect(wrapper.find('[data-testid="image-upload-preview"]').attributes('src')).toBe(
      '/media/old.png',
    )

    const file = fileOf('image/webp', 1000)
    await pick(wrapper, file)
    expect(upload).toHaveBeenCalledWith(file)
    expect(wrapper.find('[data-testid="image-upload-preview"]').attributes('src')).toBe(
      'blob:preview',
    )

    finish('/media/new.png')
    await flushPromises()
    expect(wrapper.emitted('update:modelValue')).toEqual([['/media/new.png']])
    expect(wrapper.emitted('uploaded')).toEqual([['/media/new.png']])
    await wrapper.setProps({ modelValue: '/media/new.png' })
    expect(wrapper.find('[data-testid="image-upload-preview"]').attributes('src')).toBe(
      '/media/new.png',
    )
  })

  it('shows the upload failure and drops the preview', async () => {
    const upload = vi.fn().mockRejectedValue(new Error('boom'))
    const wrapper = mount(ImageUpload, { props: { upload } })
    await pick(wrapper, fileOf('image/jpeg', 10))
    expect(wrapper.find('[data-testid="image-upload-error"]').text()).toContain('上传失败')
    expect(wrapper.find('[data-testid="image-upload-preview"]').exists()).toBe(false)
    expect(wrapper.emitted('uploaded')).toBeUndefined()
  })
})
