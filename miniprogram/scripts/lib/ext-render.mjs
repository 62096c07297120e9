// Pure helpers for scripts/render-ext.mjs: turn a company's `GET /api/v1/site/` payload into the
// mini-program's ext.json (WeChat third-party platform: one template, many companies' mini-programs).

export const DEFAULT_PRIMARY_COLOR = '#1677ff'

/**
 * @typedef {{ display_name?: string, logo_url?: string, primary_color?: string, miniprogram_title?: string }} SiteBranding
 * @typedef {{ surface: string, company?: { slug: string, name: string, branding?: SiteBranding } | null }} SitePayload
 * @typedef {{ slug: string, api: string, appid: string }} RenderOptions
 * @typedef {{
 *   extEnable: true, extAppid: string, directCommit: false,
 *   ext: { company: string, apiBase: string, name: string, primaryColor: string, logoUrl: string, title: string },
 *   window: { navigationBarTitleText: string, navigationBarBackgroundColor: string, navigationBarTextStyle: 'white' | 'black' }
 * }} ExtJson
 */

/** @param {unknown} v */
const str = (v) => (typeof v === 'string' ? v.trim() : '')

/** @param {unknown} v @returns {boolean} */
export function isHexColor(v) {
  return typeof v === 'string' && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v.trim())
}

/** @param {string} hex @returns {'white' | 'black'} */
export function navigationTextStyle(hex) {
  let h = hex.replace('#', '')
  if (h.length === 3) h = h.split('').map((c) => c + c).join('')
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16))
  return (r * 299 + g * 587 + b * 114) / 1000 > 160 ? 'black' : 'white'
}

/** Relative media URLs (`/media/x.png`) → absolute on the company host. @param {string} url @param {string} api */
export function absoluteUrl(url, api) {
  if (!url) return ''
  if (/^(https?:)?\/\//i.test(url) || url.startsWith('data:')) return url
  return `${api.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
}

/**
 * @param {SitePayload} site  the company's `GET /api/v1/site/` response
 * @param {RenderOptions} opts
 * @returns {ExtJson}
 */
export function renderExtJson(site, opts) {
  const slug = str(opts.slug)
  const api = str(opts.api).replace(/\/+$/, '')
  const appid = str(opts.appid)
  if (!slug) throw new Error('--slug is required')
  if (!/^https?:\/\/[^/]+$/.test(api)) throw new Error(`--api must be an origin like https://${slug}.example.com (got "${opts.api}")`)
  if (!appid) throw new Error('--appid is required (the company mini-program appid)')
  if (!site || site.surface !== 'company' || !site.company) {
    throw new Error(`${api}/api/v1/site/ is not a company site (surface: ${site && site.surface})`)
  }
  const company = site.company
  if (company.slug !== slug) {
    throw new Error(`the API at ${api} serves company "${company.slug}", not "${slug}"`)
  }
  const b = company.branding || {}
  const name = str(b.display_name) || str(company.name) || slug
  const title = str(b.miniprogram_title) || name
  const primaryColor = isHexColor(b.primary_color) ? str(b.primary_color) : DEFAULT_PRIMARY_COLOR
  return {
    extEnable: true,
    extAppid: appid,
    directCommit: false,
    ext: {
      company: slug,
      apiBase: api,
      name,
      primaryColor,
      logoUrl: absoluteUrl(str(b.logo_url), api),
      title,
    },
    window: {
      navigationBarTitleText: title,
      navigationBarBackgroundColor: primaryColor,
      navigationBarTextStyle: navigationTextStyle(primaryColor),
    },
  }
}

/**
 * `--slug demo --api http://demo.localhost:8000 --appid wx123 [--out src/ext.json]` (also `--k=v`).
 * @param {string[]} argv
 * @returns {{ slug: string, api: string, appid: string, out: string }}
 */
export function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`)
    const eq = arg.indexOf('=')
    if (eq !== -1) out[arg.slice(2, eq)] = arg.slice(eq + 1)
    else {
      const v = argv[i + 1]
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`)
      out[arg.slice(2)] = v
      i++
    }
  }
  for (const k of Object.keys(out)) {
    if (!['slug', 'api', 'appid', 'out'].includes(k)) throw new Error(`unknown option --${k}`)
  }
  return { slug: out.slug || '', api: out.api || '', appid: out.appid || '', out: out.out || 'src/ext.json' }
}
