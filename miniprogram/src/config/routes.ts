/** Page paths (pages.json) and the pure routing decisions around login and binding. */
export const PAGES = {
  home: '/pages/index/index',
  login: '/pages/login/login',
  bind: '/pages/bind/bind',
  profile: '/pages/profile/profile',
  comingSoon: '/pages/coming-soon/coming-soon',
  myHouses: '/pages/my-houses/my-houses',
  myInfo: '/pages/my-info/my-info',
  bills: '/pages/bills/bills',
  billHistory: '/pages/bills/history',
  payResult: '/pages/bills/pay-result',
  invoices: '/pages/invoices/invoices',
  messages: '/pages/messages/messages',
  agreement: '/pages/agreement/agreement',
  repairs: '/pages/repairs/repairs',
  repairFile: '/pages/repairs/file',
  repairDetail: '/pages/repairs/detail',
  notices: '/pages/notices/list',
  noticeDetail: '/pages/notices/detail',
  feedback: '/pages/feedback/list',
  feedbackFile: '/pages/feedback/file',
  feedbackDetail: '/pages/feedback/detail',
  activities: '/pages/activities/list',
  activityDetail: '/pages/activities/detail',
  vendors: '/pages/vendors/list',
  vendorDetail: '/pages/vendors/detail',
  vendorOrders: '/pages/vendor-orders/list',
  vendorOrderDetail: '/pages/vendor-orders/detail',
} as const

/** tabBar pages: reached with switchTab, never navigateTo. Keep in step with pages.json. */
export const TAB_PAGES: readonly string[] = [PAGES.home, PAGES.profile]

/** Where to go right after a successful login: bind a house first if the user has none. */
export function pageAfterLogin(bindings: readonly { status: string }[]): string {
  return bindings.length === 0 ? PAGES.bind : PAGES.home
}

/** The history page, on one house (or all when `house` is null). */
export function billHistoryUrl(house: number | null): string {
  return house == null ? PAGES.billHistory : `${PAGES.billHistory}?house=${house}`
}

export function comingSoonUrl(feature: string): string {
  return `${PAGES.comingSoon}?feature=${encodeURIComponent(feature)}`
}

/** 用户协议 / 隐私政策 of the company (open before login). */
export function agreementUrl(kind: 'user_agreement' | 'privacy_policy'): string {
  return `${PAGES.agreement}?kind=${kind}`
}

/** One repair of mine, with its timeline. */
export function repairUrl(id: number): string {
  return `${PAGES.repairDetail}?id=${id}`
}

/** One announcement in full (the link the server's notice.published notification carries). */
export function noticeUrl(id: number): string {
  return `${PAGES.noticeDetail}?id=${id}`
}

/** One feedback item of mine, with the reply and its steps. */
export function feedbackUrl(id: number): string {
  return `${PAGES.feedbackDetail}?id=${id}`
}

/** 社区活动: one activity, with my sign-up. */
export function activityUrl(id: number): string {
  return `${PAGES.activityDetail}?id=${id}`
}

/** 家政服务 or 周边商家: the vendors of that kind admitted for my estates. */
export function vendorsUrl(kind: 'housekeeping' | 'merchant'): string {
  return `${PAGES.vendors}?kind=${kind}`
}

/** One vendor: its offerings, slots and the booking form. */
export function vendorUrl(id: number): string {
  return `${PAGES.vendorDetail}?id=${id}`
}

/** One service order of mine; `payment`: the payment order just started for it, to follow. */
export function vendorOrderUrl(id: number, payment?: number | null): string {
  return payment ? `${PAGES.vendorOrderDetail}?id=${id}&payment=${payment}` : `${PAGES.vendorOrderDetail}?id=${id}`
}
