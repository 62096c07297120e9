/**
 * Which company this app is for, where its API is, and how it looks.
 *
 * - Mini-program: ext.json's `ext` (read through the platform adapter's getExtConfig) names the
 *   company and its API base; its name/colour/logo are shown at once, then refreshed from the API.
 * - H5: served by the backend at `/h5/` on the company's own host (`<slug>.<base domain>`), so the
 *   API is same-origin (base `''`); the slug comes from the host name, the branding from
 *   `GET /api/v1/site/`.
 */
import type { PlatformKind } from '@/platform/types'
import type { SiteBranding, SiteResponse } from '@/api/types'
import { t } from '@/i18n'

export const DEFAULT_PRIMARY_COLOR = '#1677ff'

export interface ExtCompanyConfig {
  company: string
  apiBase: string
  name?: string
  primaryColor?: string
  logoUrl?: string
  title?: string
}

export interface CompanyContext {
  slug: string | null
  /** Prefix for API paths: `''` for same-origin H5. */
  apiBase: string
  /** Where media (`/media/…`) is served from: the API host in the mini-program, the page's origin in
   *  H5 — uni-app's H5 <image> puts its own base (`/h5/`) before a root-relative path. */
  mediaBase: string
  ext: ExtCompanyConfig | null
}

export interface Branding {
  slug: string | null
  name: string
  title: string
  primaryColor: string
  logoUrl: string
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value.trim())
}

/**
 * Accepts what `wx.getExtConfigSync()` returns (the `ext` object) or a whole ext.json
 * (`{"extEnable":…, "ext": {…}}`); `null` when there is no usable company in it.
 */
export function parseExtConfig(raw: unknown): ExtCompanyConfig | null {
  if (!raw || typeof raw !== 'object') return null
  const obj = raw as Record<string, unknown>
  const ext = (obj.ext && typeof obj.ext === 'object' ? obj.ext : obj) as Record<string, unknown>
  const company = str(ext.company)
  const apiBase = str(ext.apiBase).replace(/\/+$/, '')
  if (!company || !apiBase) return null
  return {
    company,
    apiBase,
    name: str(ext.name) || undefined,
    primaryColor: isHexColor(ext.primaryColor) ? str(ext.primaryColor) : undefined,
    logoUrl: str(ext.logoUrl) || undefined,
    title: str(ext.title) || undefined,
  }
}

/**
 * Company slug from an H5 host name. With a known base domain, `demo.wuye.example` under
 * `wuye.example` → `demo`. Without one: `demo.localhost[:port]` → `demo`, and any host with at
 * least three labels → its first label. IP addresses and bare `localhost` → `null`.
 */
export function companyFromHost(host: string | null | undefined, baseDomain?: string): string | null {
  if (!host) return null
  let name = host.trim().toLowerCase()
  if (name.startsWith('[')) return null // IPv6 literal
  name = name.replace(/:\d+$/, '').replace(/\.$/, '')
  if (!name || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return null
  const labels = name.split('.')
  const valid = (s: string | undefined): s is string => !!s && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(s)
  if (baseDomain) {
    const base = baseDomain.trim().toLowerCase().replace(/:\d+$/, '')
    if (!name.endsWith(`.${base}`)) return null
    const sub = name.slice(0, -(base.length + 1))
    return valid(sub) ? sub : null // one label only
  }
  if (labels.length === 2 && labels[1] === 'localhost') return valid(labels[0]) ? labels[0] : null
  if (labels.length >= 3 && labels[0] !== 'www') return valid(labels[0]) ? labels[0] : null
  return null
}

export function resolveCompanyContext(input: {
  kind: PlatformKind
  ext: unknown
  host: string | null
  /** H5: `location.origin`. */
  origin?: string | null
}): CompanyContext {
  if (input.kind === 'mp-weixin') {
    const ext = parseExtConfig(input.ext)
    const apiBase = ext?.apiBase ?? ''
    return { slug: ext?.company ?? null, apiBase, mediaBase: apiBase, ext }
  }
  return { slug: companyFromHost(input.host), apiBase: '', mediaBase: input.origin ?? '', ext: null }
}

/** Relative media URLs (`/media/logo.png`) made absolute: the API host in the mini-program, the
 *  page's origin in H5. */
export function absoluteUrl(url: string, apiBase: string): string {
  if (!url) return ''
  if (/^(https?:)?\/\//i.test(url) || url.startsWith('data:')) return url
  if (!apiBase) return url
  return `${apiBase.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
}

/** Site API branding beats ext config, which beats the defaults. */
export function resolveBranding(ctx: CompanyContext, site: SiteResponse | null): Branding {
  const company = site && site.surface === 'company' ? site.company ?? null : null
  const b: Partial<SiteBranding> = company?.branding ?? {}
  const ext = ctx.ext
  const name = str(b.display_name) || str(company?.name) || ext?.name || t('app.defaultName')
  const primary = isHexColor(b.primary_color) ? str(b.primary_color) : ext?.primaryColor ?? DEFAULT_PRIMARY_COLOR
  return {
    slug: company?.slug ?? ctx.slug,
    name,
    title: str(b.miniprogram_title) || ext?.title || name,
    primaryColor: primary,
    logoUrl: absoluteUrl(str(b.logo_url) || ext?.logoUrl || '', ctx.mediaBase),
  }
}

/** Navigation-bar text colour readable on `hex` (WeChat allows only white or black). */
export function frontColorFor(hex: string): '#ffffff' | '#000000' {
  let h = hex.replace('#', '')
  if (h.length === 3) h = h.split('').map((c) => c + c).join('')
  const r = parseInt(h.slice(0, 2), 16)
  const g = parseInt(h.slice(2, 4), 16)
  const b = parseInt(h.slice(4, 6), 16)
  if ([r, g, b].some(Number.isNaN)) return '#ffffff'
  // YIQ brightness
  return (r * 299 + g * 587 + b * 114) / 1000 > 160 ? '#000000' : '#ffffff'
}
