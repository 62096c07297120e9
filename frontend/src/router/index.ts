import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
  type Router,
  type RouterHistory,
} from 'vue-router'

import type { ModuleKey } from '@/api/types'
import { i18n } from '@/locales'
import { MODULES } from '@/modules'
import { activitiesRoute } from '@/router/activities'
import { basicDataRoute } from '@/router/basicData'
import { communityRoute } from '@/router/community'
import { feesRoute, meterReadingImportRoute, meterReadingRoute } from '@/router/fees'
import { feedbackRoute } from '@/router/feedback'
import { partnerGuard, partnerRoutes } from '@/router/partner'
import { repairsRoute, repairWorkRoute } from '@/router/repairs'
import { clockRoute } from '@/router/staff'
import { useAuthStore } from '@/stores/auth'
import { useSiteStore } from '@/stores/site'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** The module a user must have in `me.modules` to open the route. */
    module?: ModuleKey
    /** i18n key of the page title. */
    title?: string
  }
}

export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'landing',
    component: () => import('@/pages/public/LandingPage.vue'),
    meta: { public: true, title: 'common.appName' },
  },
  {
    path: '/signup',
    name: 'signup',
    component: () => import('@/pages/public/SignupPage.vue'),
    meta: { public: true, title: 'signup.title' },
  },
  {
    path: '/login',
    name: 'login-redirect',
    component: () => import('@/pages/public/LoginRedirectPage.vue'),
    meta: { public: true, title: 'loginRedirect.title' },
  },
  ...partnerRoutes,
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/pages/NotFoundPage.vue'),
    meta: { public: true, title: 'notFound.title' },
  },
]

const placeholder = () => import('@/pages/company/ModulePlaceholder.vue')

/** Modules with their own pages; the others show the placeholder for now. */
const BUILT_MODULES = new Set<ModuleKey>([
  'settings',
  'basic_data',
  'fees',
  'repairs',
  'community',
  'feedback',
  'activities',
])

const moduleRoutes: RouteRecordRaw[] = MODULES.filter((m) => !BUILT_MODULES.has(m.key)).map(
  (m) => ({
    path: m.path.slice(1),
    name: m.key,
    component: placeholder,
    meta: { module: m.key, title: `modules.${m.key}` },
  }),
)

export const companyRoutes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/pages/company/LoginPage.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('@/pages/company/account/ForgotPasswordPage.vue'),
    meta: { public: true, title: 'passwords.forgot.title' },
  },
  {
    path: '/set-password',
    name: 'set-password',
    component: () => import('@/pages/company/account/SetPasswordPage.vue'),
    meta: { public: true, title: 'passwords.invitation.title' },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('@/pages/company/account/ChangePasswordPage.vue'),
    meta: { title: 'passwords.change.title' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AdminLayout.vue'),
    children: [
      {
        path: '',
        name: 'dashboard',
        component: () => import('@/pages/company/DashboardPage.vue'),
        meta: { title: 'dashboard.title' },
      },
      ...moduleRoutes,
      basicDataRoute,
      feesRoute,
      repairWorkRoute,
      repairsRoute,
      communityRoute,
      feedbackRoute,
      activitiesRoute,
      clockRoute,
      meterReadingRoute,
      meterReadingImportRoute,
      {
        path: 'settings',
        component: () => import('@/pages/company/settings/SettingsLayout.vue'),
        meta: { module: 'settings', title: 'settings.title' },
        children: [
          { path: '', name: 'settings', redirect: { name: 'settings-branding' } },
          {
            path: 'branding',
            name: 'settings-branding',
            component: () => import('@/pages/company/settings/BrandingPage.vue'),
            meta: { module: 'settings', title: 'settings.branding' },
          },
          {
            path: 'agreements',
            name: 'settings-agreements',
            component: () => import('@/pages/company/settings/AgreementsPage.vue'),
            meta: { module: 'settings', title: 'settings.agreements' },
          },
          {
            path: 'staff',
            name: 'settings-staff',
            component: () => import('@/pages/company/settings/StaffPage.vue'),
            meta: { module: 'settings', title: 'settings.staff' },
          },
          {
            path: 'subscription',
            name: 'settings-subscription',
            component: () => import('@/pages/company/settings/SubscriptionPage.vue'),
            meta: { module: 'settings', title: 'settings.subscription' },
          },
          {
            path: 'wechat-pay',
            name: 'settings-wechat-pay',
            component: () => import('@/pages/company/settings/WechatPayPage.vue'),
            meta: {
              module: 'settings',
              title: 'settings.wechatPay',
              permission: 'payments.merchant',
            },
          },
          {
            path: 'notification-templates',
            name: 'settings-notification-templates',
            component: () => import('@/pages/company/settings/NotificationTemplatesPage.vue'),
            meta: {
              module: 'settings',
              title: 'settings.notificationTemplates',
              permission: 'notifications.templates',
            },
          },
          {
            path: 'wechat-templates',
            name: 'settings-wechat-templates',
            component: () => import('@/pages/company/settings/WechatTemplatesPage.vue'),
            meta: {
              module: 'settings',
              title: 'settings.wechatTemplates',
              permission: 'notifications.templates',
            },
          },
          {
            path: 'notification-failures',
            name: 'settings-notification-failures',
            component: () => import('@/pages/company/settings/NotificationFailuresPage.vue'),
            meta: {
              module: 'settings',
              title: 'settings.notificationFailures',
              permission: 'notifications.deliveries',
            },
          },
        ],
      },
      {
        path: 'suspended',
        name: 'suspended',
        component: () => import('@/pages/company/SuspendedPage.vue'),
        meta: { title: 'subscription.suspended.title' },
      },
      {
        path: '403',
        name: 'forbidden',
        component: () => import('@/pages/company/ForbiddenPage.vue'),
        meta: { title: 'forbidden.title' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/pages/NotFoundPage.vue'),
        meta: { title: 'notFound.title' },
      },
    ],
  },
]

/** The guard of the company admin: sign-in first, then the module check. */
export async function companyGuard(to: RouteLocationNormalized) {
  const auth = useAuthStore()
  if (to.meta.public) {
    if (to.name === 'login' && (await auth.ensureLoaded())) return { name: 'dashboard' }
    return true
  }
  const me = await auth.ensureLoaded()
  if (!me) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  // An admin reset the password: nothing else until the user has chosen their own.
  if (me.must_change_password && to.name !== 'change-password') return { name: 'change-password' }
  // Nested routes inherit their parent's module requirement through `matched`.
  for (const record of to.matched) {
    const module = record.meta.module
    if (module && !auth.hasModule(module)) {
      return { name: 'forbidden', query: { from: to.fullPath } }
    }
    const permission = record.meta.permission
    if (permission && !auth.hasPermission(permission)) {
      return { name: 'forbidden', query: { from: to.fullPath } }
    }
  }
  return true
}

export function createAppRouter(
  surface: 'public' | 'company',
  history: RouterHistory = createWebHistory('/'),
): Router {
  const router = createRouter({
    history,
    routes: surface === 'company' ? companyRoutes : publicRoutes,
    scrollBehavior: () => ({ top: 0 }),
  })
  if (surface === 'company') router.beforeEach(companyGuard)
  else router.beforeEach(partnerGuard)
  router.afterEach((to) => {
    const site = useSiteStore()
    site.setPageTitle(to.meta.title ? i18n.global.t(to.meta.title) : '')
  })
  return router
}
