import type zhReconciliation from './reconciliation.zh-CN'

/** 对账: en.ts `reconciliation`; typed by the Chinese file, so a missing key fails vue-tsc. */
const reconciliation: typeof zhReconciliation = {
  tab: 'Reconciliation',
  intro:
    "Every day at 10:00 the previous day's WeChat Pay trade bill is downloaded and checked against this system's payment orders, one by one; you can also reconcile a chosen day now (running a day again replaces its differences and keeps the notes already written).",
  billDate: 'Bill date',
  run: 'Reconcile',
  started: 'Reconciling {date}',
  running: 'Reconciling…',
  finished: 'Reconciliation finished',
  failedJob: 'Reconciliation failed: {message}',
  empty:
    "No reconciliation yet. Once WeChat Pay is set up, the previous day's bill is reconciled every day at 10:00.",
  gateway: { wechatpay: 'WeChat Pay', offline: 'Offline' },
  status: { running: 'Running', done: 'Done', failed: 'Failed' },
  columns: {
    billDate: 'Bill date',
    gateway: 'Gateway',
    status: 'Status',
    provider: 'Gateway (count/amount)',
    ours: 'Ours (count/amount)',
    refunds: 'Refunds (gateway/ours)',
    differences: 'Differences',
    finishedAt: 'Finished',
  },
  count: '{n}',
  noBill: 'No bill that day',
  open: '{n} open',
  allResolved: 'Nothing open',
  healed: '{n} settled',
  view: 'Differences',
  itemsTitle: 'Differences on {date}',
  onlyOpen: 'Open only',
  noItems: "No difference: the gateway's bill matches our orders.",
  noOpenItems: 'No open difference.',
  kind: {
    missing_here: 'At the gateway, not here',
    missing_there: 'Here, not at the gateway',
    amount_mismatch: 'Amounts differ',
    status_mismatch: 'States differ',
    healed: 'Settled automatically',
  },
  entry: { payment: 'Payment', refund: 'Refund' },
  item: {
    kind: 'Difference',
    entry: 'Entry',
    outTradeNo: 'Order number',
    providerAmount: 'Gateway amount',
    ourAmount: 'Our amount',
    states: 'State (gateway/ours)',
    resolution: 'Resolution',
  },
  resolve: 'Resolve',
  resolveTitle: 'Resolve {no}',
  note: 'Note',
  noteRequired: 'Please write what was done',
  resolved: 'Resolution recorded',
  resolvedBy: '{name} at {at}: {note}',
  resolvedAuto: 'System at {at}: {note}',
}

export default reconciliation
