import type { RouteRecordRaw } from 'vue-router'

import { useAuthStore } from '@/stores/auth'

const module = 'feedback' as const

/**
 * 投诉建议 (/feedback): the handlers' list with its figures and detail drawer (feedback.handle),
 * 趋势统计 (feedback.handle or analytics.view, as the API answers) and 投诉建议设置 (feedback.manage)
 * as tabs. `/feedback?id=` (a notification's link) keeps its query on the way to the list.
 */
export const feedbackRoute: RouteRecordRaw = {
  path: 'feedback',
  component: () => import('@/layouts/SectionTabsLayout.vue'),
  props: { section: '/feedback' },
  meta: { module, title: 'modules.feedback' },
  children: [
    {
      path: '',
      name: 'feedback',
      // Never shown: sends each user to the first tab they may open once their permissions are known.
      component: () => import('@/pages/company/feedback/FeedbackPage.vue'),
      beforeEnter: async (to) => {
        const auth = useAuthStore()
        await auth.ensureLoaded()
        if (auth.hasPermission('feedback.handle'))
          return { name: 'feedback-items', query: to.query }
        if (auth.hasPermission('feedback.manage')) return { name: 'feedback-settings' }
        return { name: 'feedback-stats' }
      },
    },
    {
      path: 'items',
      name: 'feedback-items',
      component: () => import('@/pages/company/feedback/FeedbackPage.vue'),
      meta: { module, title: 'feedback.tabs.items', tab: true, permission: 'feedback.handle' },
    },
    {
      path: 'stats',
      name: 'feedback-stats',
      component: () => import('@/pages/company/feedback/FeedbackStatsPage.vue'),
      // The API answers either (tenants/feedback/api/settings.py FeedbackStatsView).
      meta: {
        module,
        title: 'feedback.tabs.stats',
        tab: true,
        permission: ['feedback.handle', 'analytics.view'],
      },
    },
    {
      path: 'settings',
      name: 'feedback-settings',
      component: () => import('@/pages/company/feedback/FeedbackSettingsPage.vue'),
      meta: { module, title: 'feedback.tabs.settings', tab: true, permission: 'feedback.manage' },
    },
  ],
}
