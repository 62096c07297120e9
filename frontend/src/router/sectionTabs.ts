import type { RouteRecordRaw } from 'vue-router'

export interface SectionTab {
  name: string
  title: string
}

/** The tabs of a section: children with `meta.tab`, in route order, hidden without their permission. */
export function sectionTabs(
  children: readonly RouteRecordRaw[],
  hasPermission: (permission: string) => boolean,
): SectionTab[] {
  return children
    .filter((c) => c.meta?.tab && c.name)
    .filter((c) => !c.meta?.permission || hasPermission(c.meta.permission))
    .map((c) => ({ name: String(c.name), title: c.meta?.title ?? '' }))
}
