import { describe, expect, it } from 'vitest'

import { applyPrimaryColor, mix, primaryPalette } from '@/utils/theme'

describe('theme', () => {
  it('mixes colours channel by channel', () => {
    expect(mix('#000000', '#ffffff', 0.5)).toBe('#808080')
    expect(mix('#1677ff', '#ffffff', 0)).toBe('#1677ff')
  })

  it('derives the Element Plus shades from the primary colour', () => {
    const palette = primaryPalette('#1677FF')
    expect(palette['--el-color-primary']).toBe('#1677ff')
    expect(palette['--el-color-primary-light-3']).toBe('#5ca0ff')
    expect(palette['--el-color-primary-light-9']).toBe('#e8f1ff')
    expect(palette['--el-color-primary-dark-2']).toBe('#125fcc')
  })

  it('writes the variables on the root element', () => {
    const root = document.createElement('div')
    expect(applyPrimaryColor('#ff0000', root)).toBe(true)
    expect(root.style.getPropertyValue('--el-color-primary')).toBe('#ff0000')
    expect(root.style.getPropertyValue('--el-color-primary-light-5')).toBe('#ff8080')
  })

  it('ignores invalid colours', () => {
    const root = document.createElement('div')
    expect(applyPrimaryColor('red', root)).toBe(false)
    expect(root.style.getPropertyValue('--el-color-primary')).toBe('')
  })
})
