import { describe, expect, it } from 'vitest'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { getLocale, setLocale, t } from '@/i18n'

type Dict = { [key: string]: string | Dict }

/** Every leaf key as a dotted path. */
function keys(dict: Dict, prefix = ''): string[] {
  return Object.entries(dict).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)))
}

function placeholders(dict: Dict, key: string): string[] {
  let node: string | Dict = dict
  for (const part of key.split('.')) node = (node as Dict)[part]
  return [...String(node).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
}

describe('English catalogue', () => {
  it('has exactly the keys of zh-CN, each with an English value and the same placeholders', () => {
    const zhKeys = keys(zhCN as Dict).sort()
    const enKeys = keys(en as Dict).sort()
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([])
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([])
    for (const key of zhKeys) {
      expect(placeholders(en as Dict, key), key).toEqual(placeholders(zhCN as Dict, key))
    }
  })

  it('leaves no Chinese in English text but language names', () => {
    const chinese = keys(en as Dict).filter((k) => {
      const prev = getLocale()
      setLocale('en')
      const text = t(k)
      setLocale(prev)
      return /[\u4e00-\u9fff]/.test(text) && !k.startsWith('language.')
    })
    expect(chinese).toEqual([])
  })
})
