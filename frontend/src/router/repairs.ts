import type { RouteRecordRaw } from 'vue-router'

import { useAuthStore } from '@/stores/auth'

const module = 'repairs' as const

/**
 * 报修工单 (/repairs): the dispatcher's list (repairs.dispatch), 报修设置 and 派单规则
 * (repairs.manage), 报修统计 (repairs.dispatch or analytics.view) as tabs; a worker (repairs.work) lands on their phone page, /repairs/work, outside the tabs.
 */
export const repairsRoute: RouteRecordRaw = {
  path: 'repairs',
  component: () => import('@/layouts/SectionTabsLayout.vue'),
  props: { section: '/repairs' },
  meta: { module, title: 'modules.repairs' },
  children: [
    {
      path: '',
      name: 'repairs',
      // Never shown: sends each user to their page once their permissions are known (a first
      // load runs this before the session has been read, which a plain `redirect` cannot wait for).
      component: () => import('@/pages/company/repairs/RepairOrdersPage.vue'),
      beforeEnter: async () => {
        const auth = useAuthStore()
        await auth.ensureLoaded()
        if (auth.hasPermission('repairs.dispatch')) return { name: 'repairs-orders' }
        if (auth.hasPermission('repairs.work')) return { name: 'repairs-work' }
        if (auth.hasPermission('repairs.manage')) return { name: 'repairs-settings' }
        return { name: 'repairs-stats' }
      },
    },
    {
      path: 'orders',
      name: 'repairs-orders',
      component: () => import('@/pages/company/repairs/RepairOrdersPage.vue'),
      meta: { module, title: 'repairs.tabs.orders', tab: true, permission: 'repairs.dispatch' },
    },
    {
      path: 'settings',
      name: 'repairs-settings',
      component: () => import('@/pages/company/repairs/RepairSettingsPage.vue'),
      meta: { module, title: 'repairs.tabs.settings', tab: true, permission: 'repairs.manage' },
    },
    {
      path: 'rules',
      name: 'repairs-rules',
      component: () => import('@/pages/company/repairs/DispatchRulesPage.vue'),
      meta: { module, title: 'repairs.tabs.rules', tab: true, permission: 'repairs.manage' },
    },
    {
      path: 'stats',
      name: 'repairs-stats',
      component: () => import('@/pages/company/repairs/RepairStatsPage.vue'),
      // The API answers either (tenants/repairs/api/stats.py VIEW_STATS).
      meta: {
        module,
        title: 'repairs.tabs.stats',
        tab: true,
        permission: ['repairs.dispatch', 'analytics.view'],
      },
    },
  ],
}

/** 我的工单: the repair worker's phone page (375 px), from the menu's 报修工单 or directly. */
export const repairWorkRoute: RouteRecordRaw = {
  path: 'repairs/work',
  name: 'repairs-work',
  component: () => import('@/pages/company/repairs/RepairWorkPage.vue'),
  meta: { module, title: 'repairs.work.title', permission: 'repairs.work' },
}
