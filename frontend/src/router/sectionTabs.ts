import type { RouteRecordRaw } from 'vue-router'

export interface SectionTab {
  name: string
  title: string
}

/**
 * The tabs of a section: children with `meta.tab`, in route order, hidden without their permission
 * (without any of them, when a tab names several).
 */
export function sectionTabs(
  children: readonly RouteRecordRaw[],
  hasPermission: (permission: string) => boolean,
): SectionTab[] {
  return children
    .filter((c) => c.meta?.tab && c.name)
    .filter((c) => {
      const needed = c.meta?.permission
      if (!needed) return true
      return typeof needed === 'string' ? hasPermission(needed) : needed.some(hasPermission)
    })
    .map((c) => ({ name: String(c.name), title: c.meta?.title ?? '' }))
}
