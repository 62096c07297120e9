/**
 * A small i18n module: zh-CN first; other locales fall back to zh-CN key by key.
 * `t('login.resendIn', { s: 59 })` → "59秒后重发".
 */
import zhCN from './zh-CN'
import en from './en'

type Dict = { [key: string]: string | Dict }

export type Locale = 'zh-CN' | 'en'

const catalogs: Record<Locale, Dict> = {
  'zh-CN': zhCN,
  // English is written screen by screen in en.ts (same keys); missing keys fall back to zh-CN.
  en,
}

let current: Locale = 'zh-CN'

export function setLocale(locale: Locale): void {
  current = locale
}

export function getLocale(): Locale {
  return current
}

function lookup(dict: Dict, key: string): string | undefined {
  let node: string | Dict | undefined = dict
  for (const part of key.split('.')) {
    if (!node || typeof node === 'string') return undefined
    node = node[part]
  }
  return typeof node === 'string' ? node : undefined
}

export function interpolate(template: string, params?: Record<string, string | number>): string {
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/** Translate a dotted key; unknown keys come back as the key itself. */
export function t(key: string, params?: Record<string, string | number>): string {
  const msg = lookup(catalogs[current], key) ?? lookup(catalogs['zh-CN'], key) ?? key
  return interpolate(msg, params)
}
