/**
 * A small i18n module: zh-CN first; other locales fall back to zh-CN key by key (a test holds
 * en.ts to every zh-CN key). `t('login.resendIn', { s: 59 })` → "59秒后重发".
 * The locale is a Vue ref, so a page's render reads it and redraws when the owner switches.
 */
import { ref } from 'vue'
import zhCN from './zh-CN'
import en from './en'

type Dict = { [key: string]: string | Dict }

export type Locale = 'zh-CN' | 'en'

const catalogs: Record<Locale, Dict> = {
  'zh-CN': zhCN,
  en,
}

export const LOCALES: readonly Locale[] = ['zh-CN', 'en']

/** Where the owner's choice is kept (platform storage). */
export const LOCALE_KEY = 'wuye.locale'

const current = ref<Locale>('zh-CN')

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en'
}

export function setLocale(locale: Locale): void {
  current.value = locale
}

export function getLocale(): Locale {
  return current.value
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
  const msg = lookup(catalogs[current.value], key) ?? lookup(catalogs['zh-CN'], key) ?? key
  return interpolate(msg, params)
}
