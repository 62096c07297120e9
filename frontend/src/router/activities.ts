import type { RouteRecordRaw } from 'vue-router'

/** 社区活动 (/activities): the staff page for activities (activities.manage). */
export const activitiesRoute: RouteRecordRaw = {
  path: 'activities',
  name: 'activities',
  component: () => import('@/pages/company/activities/ActivitiesPage.vue'),
  meta: { module: 'activities', title: 'modules.activities' },
}
