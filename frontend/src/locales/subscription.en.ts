import type zhSubscription from './subscription.zh-CN'

/** Settings → Subscription & plan: en.ts `subscription`; typed by the Chinese file. */
const subscription: typeof zhSubscription = {
  title: 'Subscription & plan',
  currentPlan: 'Current plan',
  status: 'Status',
  statuses: {
    trialing: 'Trial',
    active: 'Subscribed',
    past_due: 'Past due',
    suspended: 'Suspended',
    canceled: 'Canceled',
  },
  trialDaysLeft: '{n} trial days left',
  trialEnds: 'Trial ends',
  graceEnds: 'Please pay before {date}, or staff access will be suspended.',
  renews: 'Renews',
  usage: 'Usage',
  usageKinds: { houses: 'Houses', staff: 'Staff accounts' },
  usageOf: '{used} / {limit}',
  plans: 'Plans',
  perMonth: '¥{price} / month',
  limits: 'Up to {houses} houses, {staff} staff accounts',
  subscribe: 'Subscribe',
  change: 'Switch to this plan',
  current: 'Current plan',
  unavailable: 'Not available online',
  manageCard: 'Manage payment method',
  invoices: 'Invoices',
  invoiceNumber: 'Number',
  invoicePeriod: 'Period',
  invoiceAmount: 'Amount',
  invoiceStatus: 'Status',
  invoiceIssued: 'Issued',
  invoiceView: 'View',
  invoiceStatuses: { open: 'Open', paid: 'Paid', failed: 'Payment failed', void: 'Void' },
  noInvoices: 'No invoices yet',
  redirecting: 'Taking you to the payment page…',
  checkoutDone: 'Payment submitted; the subscription updates in a few seconds.',
  checkoutCanceled: 'Payment canceled; your plan is unchanged.',
  planChanged: 'Plan changed. Stripe prorates the difference on your next invoice.',
  suspended: {
    title: 'Subscription suspended',
    description:
      "Your company's subscription is unpaid, so staff features are suspended. All data is kept, and owners can still see and pay their bills.",
    howToResume:
      'A company admin can pay under Settings → Subscription & plan; service resumes as soon as the payment lands.',
    byPlatform:
      "Your company's service has been suspended by the platform; all data is kept. Please contact support.",
    goPay: 'Go to Subscription & plan',
  },
}

export default subscription
