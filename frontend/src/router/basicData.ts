import type { RouteRecordRaw } from 'vue-router'

import { staffTabRoutes } from '@/router/staff'

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown as a tab of its section's layout (basic data). */
    tab?: boolean
    /** The tab highlighted for a page that has none of its own (a house → "houses"). */
    tabOf?: string
    /**
     * Hide the tab from users without this permission — or without any of these (the server still
     * checks every call).
     */
    permission?: string | readonly string[]
  }
}

const module = 'basic_data' as const

/**
 * 基础数据 (/basic-data): one layout with tabs, every page lazy-loaded. To add a page (staff,
 * departments, attendance…), append a child with `meta.tab: true` — the tab appears by itself.
 */
export const basicDataRoute: RouteRecordRaw = {
  path: 'basic-data',
  component: () => import('@/layouts/SectionTabsLayout.vue'),
  props: { section: '/basic-data' },
  meta: { module, title: 'modules.basic_data' },
  children: [
    { path: '', name: 'basic_data', redirect: { name: 'basic-data-estates' } },
    {
      path: 'estates',
      name: 'basic-data-estates',
      component: () => import('@/pages/company/basic-data/EstatesPage.vue'),
      meta: { module, title: 'basicData.tabs.estates', tab: true },
    },
    {
      path: 'houses',
      name: 'basic-data-houses',
      component: () => import('@/pages/company/basic-data/HousesPage.vue'),
      meta: { module, title: 'basicData.tabs.houses', tab: true },
    },
    {
      path: 'houses/:id(\\d+)',
      name: 'basic-data-house',
      component: () => import('@/pages/company/basic-data/HousePage.vue'),
      meta: { module, title: 'basicData.housePage.title', tabOf: 'basic-data-houses' },
    },
    {
      path: 'residents',
      name: 'basic-data-residents',
      component: () => import('@/pages/company/basic-data/ResidentsPage.vue'),
      meta: { module, title: 'basicData.tabs.residents', tab: true },
    },
    {
      path: 'bindings',
      name: 'basic-data-bindings',
      component: () => import('@/pages/company/basic-data/BindingsPage.vue'),
      meta: { module, title: 'basicData.tabs.bindings', tab: true },
    },
    {
      path: 'corrections',
      name: 'basic-data-corrections',
      component: () => import('@/pages/company/basic-data/CorrectionsPage.vue'),
      meta: { module, title: 'basicData.tabs.corrections', tab: true },
    },
    {
      path: 'imports',
      name: 'basic-data-imports',
      component: () => import('@/pages/company/basic-data/ImportsPage.vue'),
      // Imports show whole files of phone and ID numbers: the server allows them to managers only.
      meta: { module, title: 'basicData.tabs.imports', tab: true, permission: 'basic_data.manage' },
    },
    ...staffTabRoutes,
  ],
}
