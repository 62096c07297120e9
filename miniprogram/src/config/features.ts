/** The home grid: modules to come. Each opens the shared "即将上线" page until it ships. */
export interface Feature {
  key: string
  /** One character shown in the tile's badge (no icon font needed). */
  glyph: string
  color: string
}

export const FEATURES: readonly Feature[] = [
  { key: 'bills', glyph: '缴', color: '#ff8a00' },
  { key: 'repairs', glyph: '修', color: '#1677ff' },
  { key: 'feedback', glyph: '诉', color: '#f5533d' },
  { key: 'notices', glyph: '告', color: '#00a870' },
  { key: 'visitors', glyph: '访', color: '#7b61ff' },
  { key: 'vehicles', glyph: '车', color: '#0fa3b1' },
  { key: 'activities', glyph: '活', color: '#e6469b' },
  { key: 'housekeeping', glyph: '家', color: '#9b7b2f' },
  { key: 'votes', glyph: '票', color: '#4a5bd4' },
]

export function isFeatureKey(key: string): boolean {
  return FEATURES.some((f) => f.key === key)
}
