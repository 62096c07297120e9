/**
 * The home grid. A module that has shipped names its page; the others open the shared "即将上线"
 * page until they do.
 */
import { comingSoonUrl, PAGES, vendorsUrl } from './routes'

export interface Feature {
  key: string
  /** One character shown in the tile's badge (no icon font needed). */
  glyph: string
  color: string
  /** The module's page, once it exists. */
  page?: string
}

export const FEATURES: readonly Feature[] = [
  { key: 'bills', glyph: '缴', color: '#ff8a00', page: PAGES.bills },
  { key: 'repairs', glyph: '修', color: '#1677ff', page: PAGES.repairs },
  { key: 'feedback', glyph: '诉', color: '#f5533d', page: PAGES.feedback },
  { key: 'notices', glyph: '告', color: '#00a870', page: PAGES.notices },
  { key: 'visitors', glyph: '访', color: '#7b61ff' },
  { key: 'vehicles', glyph: '车', color: '#0fa3b1' },
  { key: 'activities', glyph: '活', color: '#e6469b', page: PAGES.activities },
  { key: 'housekeeping', glyph: '家', color: '#9b7b2f', page: vendorsUrl('housekeeping') },
  { key: 'merchant', glyph: '商', color: '#d4380d', page: vendorsUrl('merchant') },
  { key: 'votes', glyph: '票', color: '#4a5bd4' },
]

export function isFeatureKey(key: string): boolean {
  return FEATURES.some((f) => f.key === key)
}

/** Where a home tile leads: its page, or "即将上线" for a module still to come. */
export function featureUrl(key: string): string {
  return FEATURES.find((f) => f.key === key)?.page ?? comingSoonUrl(key)
}
