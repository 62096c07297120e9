import type { ModuleKey } from '@/api/types'

export interface ModuleDef {
  key: ModuleKey
  path: string
  /** Element Plus icon component name, resolved in the layout. */
  icon: string
}

/** The side navigation, in display order. Users see only the modules in `me.modules`. */
export const MODULES: readonly ModuleDef[] = [
  { key: 'basic_data', path: '/basic-data', icon: 'OfficeBuilding' },
  { key: 'fees', path: '/fees', icon: 'Money' },
  { key: 'repairs', path: '/repairs', icon: 'Service' },
  { key: 'feedback', path: '/feedback', icon: 'ChatDotRound' },
  { key: 'security', path: '/security', icon: 'Van' },
  { key: 'community', path: '/community', icon: 'Shop' },
  { key: 'activities', path: '/activities', icon: 'Calendar' },
  { key: 'analytics', path: '/analytics', icon: 'TrendCharts' },
  { key: 'settings', path: '/settings', icon: 'Setting' },
]
