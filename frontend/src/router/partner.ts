import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router'

import { usePartnerStore } from '@/stores/partner'

declare module 'vue-router' {
  interface RouteMeta {
    /** A partner-portal page that needs a signed-in vendor account (its own token, not staff's). */
    partner?: boolean
  }
}

/**
 * The partner portal, on the public host only: 服务商注册 and 登录, then the signed-in pages. The
 * services, time slots, orders and settlements join here as their APIs land.
 */
export const partnerRoutes: RouteRecordRaw[] = [
  {
    path: '/partner/login',
    name: 'partner-login',
    component: () => import('@/pages/partner/PartnerLoginPage.vue'),
    meta: { public: true, title: 'partners.portal.login.title' },
  },
  {
    path: '/partner/signup',
    name: 'partner-signup',
    component: () => import('@/pages/partner/PartnerSignupPage.vue'),
    meta: { public: true, title: 'partners.portal.signup.title' },
  },
  {
    // A company's invitation link (?invite=TOKEN), opened signed in or not.
    path: '/partner/join',
    name: 'partner-join',
    component: () => import('@/pages/partner/PartnerJoinPage.vue'),
    meta: { public: true, title: 'partners.portal.join.title' },
  },
  {
    path: '/partner',
    component: () => import('@/layouts/PartnerLayout.vue'),
    meta: { partner: true, title: 'partners.portal.title' },
    children: [
      {
        path: '',
        name: 'partner-overview',
        component: () => import('@/pages/partner/PartnerOverviewPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.overview' },
      },
      {
        path: 'documents',
        name: 'partner-documents',
        component: () => import('@/pages/partner/PartnerDocumentsPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.documents' },
      },
      {
        path: 'admissions',
        name: 'partner-admissions',
        component: () => import('@/pages/partner/PartnerAdmissionsPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.admissions' },
      },
      {
        path: 'shop',
        name: 'partner-shop',
        component: () => import('@/pages/partner/PartnerShopPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.shop' },
      },
      {
        path: 'offerings',
        name: 'partner-offerings',
        component: () => import('@/pages/partner/PartnerOfferingsPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.offerings' },
      },
      {
        path: 'slots',
        name: 'partner-slots',
        component: () => import('@/pages/partner/PartnerSlotsPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.slots' },
      },
      {
        path: 'orders',
        name: 'partner-orders',
        component: () => import('@/pages/partner/PartnerOrdersPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.orders' },
      },
      {
        path: 'settlement',
        name: 'partner-settlement',
        component: () => import('@/pages/partner/PartnerSettlementPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.settlement' },
      },
      {
        path: 'notices',
        name: 'partner-notices',
        component: () => import('@/pages/partner/PartnerNoticesPage.vue'),
        meta: { partner: true, title: 'partners.portal.nav.notices' },
      },
    ],
  },
]

/** A `next` query worth following: a path inside the portal only, never an address elsewhere. */
export function portalPath(next: unknown): string | null {
  return typeof next === 'string' && next.startsWith('/partner') ? next : null
}

/** The token of a company's invitation link (`?invite=`), if any. */
export function inviteToken(query: RouteLocationNormalized['query']): string | null {
  const invite = query.invite
  return typeof invite === 'string' && invite.trim() ? invite.trim() : null
}

/** Where a signed-in vendor goes instead of a sign-in page: the invitation or page it came for. */
function inside(to: RouteLocationNormalized) {
  const invite = inviteToken(to.query)
  if (to.name === 'partner-signup' && invite) return { name: 'partner-join', query: { invite } }
  return portalPath(to.query.next) ?? { name: 'partner-overview' }
}

/**
 * The portal's guard: its pages need a vendor signed in; signed in, its sign-in pages lead inside
 * (to an invitation's join page, or the page asked for). The join page is open to both.
 */
export async function partnerGuard(to: RouteLocationNormalized) {
  const entering = to.name === 'partner-login' || to.name === 'partner-signup'
  if (!entering && !to.matched.some((record) => record.meta.partner)) return true
  const partner = usePartnerStore()
  const account = await partner.ensureLoaded().catch(() => null)
  if (entering) return account ? inside(to) : true
  if (account) return true
  return { name: 'partner-login', query: to.fullPath !== '/partner' ? { next: to.fullPath } : {} }
}
