import type { RouteRecordRaw } from 'vue-router'

import { useAuthStore } from '@/stores/auth'

const module = 'community' as const

/**
 * 社区服务 (/community): 社区公告 (notices.manage) as its first tab, 服务商准入 (partners.manage),
 * 服务订单 with the month's 结算 (partners.view or partners.manage); a user with none of these
 * (the module's other pages are still to come) sees the placeholder.
 */
export const communityRoute: RouteRecordRaw = {
  path: 'community',
  component: () => import('@/layouts/SectionTabsLayout.vue'),
  props: { section: '/community' },
  meta: { module, title: 'modules.community' },
  children: [
    {
      path: '',
      name: 'community',
      component: () => import('@/pages/company/ModulePlaceholder.vue'),
      meta: { module, title: 'modules.community' },
      beforeEnter: async () => {
        const auth = useAuthStore()
        await auth.ensureLoaded()
        if (auth.hasPermission('notices.manage')) return { name: 'community-notices' }
        if (auth.hasPermission('partners.manage')) return { name: 'community-partners' }
        if (auth.hasPermission('partners.view')) return { name: 'community-vendor-orders' }
        return true
      },
    },
    {
      path: 'notices',
      name: 'community-notices',
      component: () => import('@/pages/company/community/NoticesPage.vue'),
      meta: { module, title: 'notices.tab', tab: true, permission: 'notices.manage' },
    },
    {
      path: 'partners',
      name: 'community-partners',
      component: () => import('@/pages/company/community/PartnerAdmissionsPage.vue'),
      meta: { module, title: 'partners.tab', tab: true, permission: 'partners.manage' },
    },
    {
      path: 'vendor-orders',
      name: 'community-vendor-orders',
      component: () => import('@/pages/company/community/VendorOrdersPage.vue'),
      meta: {
        module,
        title: 'partners.orders.tab',
        tab: true,
        permission: ['partners.view', 'partners.manage'],
      },
    },
  ],
}
