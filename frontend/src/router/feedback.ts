import type { RouteRecordRaw } from 'vue-router'

/** 投诉建议 (/feedback): the handlers' list with its figures and detail drawer (feedback.handle). */
export const feedbackRoute: RouteRecordRaw = {
  path: 'feedback',
  name: 'feedback',
  component: () => import('@/pages/company/feedback/FeedbackPage.vue'),
  meta: { module: 'feedback', title: 'modules.feedback', permission: 'feedback.handle' },
}
