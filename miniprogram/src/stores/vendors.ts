/**
 * 家政服务 / 周边商家 and 我的服务订单: the vendors admitted for the owner's estates, one vendor's
 * offerings and open slots, booking (a service takes a place in a slot; goods are delivered or
 * picked up), paying an unpaid order through the shared payment step (stores/checkout, purpose
 * `vendor_orders`), and my orders — cancel, pay, rate — over an API client passed in (the pages
 * share the one in stores/session.ts). Prices and amounts are the server's decimal strings.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type {
  BookRequest,
  Fulfilment,
  OwnerHouse,
  OwnerOffering,
  OwnerSlot,
  OwnerVendor,
  OwnerVendorDetail,
  PayClient,
  PaymentOrder,
  VendorKind,
  VendorOrder,
  VendorOrderStatus,
  VendorSort,
} from '@/api/types'
import { t } from '@/i18n'
import { formatDateTime, isCnMobile } from '@/utils/format'
import { formatYuan, isPositiveAmount } from '@/utils/money'
import { checkoutFields, loadMethods, newAttemptKey, startOrder } from './checkout'
import { messageOf, moveDetail } from './detailMoves'
import { createPager } from './pager'

export type VendorsApi = Pick<
  ApiClient,
  | 'ownerVendors'
  | 'ownerVendor'
  | 'bookVendorOrder'
  | 'ownerVendorOrders'
  | 'ownerVendorOrder'
  | 'cancelVendorOrder'
  | 'rateVendorOrder'
  | 'complainVendorOrder'
  | 'ownerHouses'
  | 'ownerProfile'
  | 'paymentMethods'
  | 'startPayment'
>

/** The two lists of the home page: 家政服务 and 周边商家. */
export type ListKind = Exclude<VendorKind, 'both'>
export const LIST_KINDS: readonly ListKind[] = ['housekeeping', 'merchant']
export const isListKind = (v: unknown): v is ListKind => v === 'housekeeping' || v === 'merchant'

/** The list's order: by name, or nearest to my estate first (`sort=distance`). */
export const VENDOR_SORTS: readonly VendorSort[] = ['name', 'distance']

export const QUANTITY_MAX = 99
export const NOTE_MAX = 500
export const CONTACT_NAME_MAX = 50
export const CANCEL_REASON_MAX = 200
export const RATING_COMMENT_MAX = 500
export const COMPLAINT_MAX = 800

/* ---------------------------------------------------------------- views (pure) */

/** "¥80.00/次" for a fixed price; "上门报价 · ¥50.00起" (or just "上门报价") for a quoted one. */
export function priceText(o: Pick<OwnerOffering, 'price_mode' | 'price' | 'unit'>): string {
  if (o.price_mode === 'quoted') {
    return isPositiveAmount(o.price) ? t('vendors.quotedFrom', { price: formatYuan(o.price) }) : t('vendors.quoted')
  }
  return o.unit ? `${formatYuan(o.price)}/${o.unit}` : formatYuan(o.price)
}

export interface SlotChoice {
  id: number
  /** "09:00–11:00" (Asia/Shanghai). */
  time: string
  free: number
  capacity: number
  /** No place left: shown, not selectable. */
  full: boolean
}

export interface SlotDay {
  /** "2026-12-05" (Asia/Shanghai). */
  day: string
  /** "12-05 周六". */
  label: string
  slots: SlotChoice[]
}

/** The day of a timestamp in Asia/Shanghai, as 0 (Sunday)..6. */
function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay()
}

/** Open slots by day (Asia/Shanghai), each day's and the days in time order; full ones marked. */
export function groupSlots(slots: readonly OwnerSlot[]): SlotDay[] {
  const days = new Map<string, SlotDay>()
  const sorted = [...slots].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))
  for (const s of sorted) {
    const start = formatDateTime(s.starts_at)
    const end = formatDateTime(s.ends_at)
    if (!start) continue
    const day = start.slice(0, 10)
    let group = days.get(day)
    if (!group) {
      group = { day, label: `${day.slice(5)} ${t(`vendors.weekdays.${weekdayOf(day)}`)}`, slots: [] }
      days.set(day, group)
    }
    group.slots.push({ id: s.id, time: `${start.slice(11)}–${end.slice(11)}`, free: s.free, capacity: s.capacity, full: s.free <= 0 })
  }
  return [...days.values()]
}

/** An order's time as one line: "2026-12-05 09:00–11:00" ("" when it has none, e.g. goods). */
export function scheduleText(order: Pick<VendorOrder, 'scheduled_start' | 'scheduled_end'>): string {
  const start = formatDateTime(order.scheduled_start)
  if (!start) return ''
  const end = formatDateTime(order.scheduled_end)
  return end && end.slice(0, 10) === start.slice(0, 10) ? `${start}–${end.slice(11)}` : end ? `${start} – ${end}` : start
}

/** The filter chips of 我的服务订单 ('' = all). */
export const ORDER_FILTERS: readonly (VendorOrderStatus | '')[] = ['', 'unpaid', 'booked', 'confirmed', 'in_service', 'done', 'cancelled']

const CANCELLABLE: readonly VendorOrderStatus[] = ['unpaid', 'booked', 'confirmed']

/** The owner may cancel before service starts (the server may still refuse close to the slot). */
export const canCancel = (order: Pick<VendorOrder, 'status'>): boolean => CANCELLABLE.includes(order.status)

/** Payable: unpaid, an amount, and before its pay-by time. */
/** Payable now: a fixed price before its pay-by time, or a quoted order the vendor completed with its amount. */
export function canPay(
  order: Pick<VendorOrder, 'status' | 'amount' | 'pay_by' | 'awaits_payment'>,
  now: Date = new Date(),
): boolean {
  if (order.awaits_payment) return true
  return order.status === 'unpaid' && isPositiveAmount(order.amount) && Date.parse(order.pay_by) > now.getTime()
}

export const canRate = (order: Pick<VendorOrder, 'status'>): boolean => order.status === 'done'
/** A paid order the owner has not complained about yet. */
export const canComplain = (order: Pick<VendorOrder, 'status' | 'complaint'>): boolean =>
  order.status !== 'unpaid' && !order.complaint

/** The vendor order page; `payment`: a payment order just started for it, to follow. */
export function vendorOrderQuery(id: number, payment?: number | null): string {
  return payment ? `id=${id}&payment=${payment}` : `id=${id}`
}

/* ---------------------------------------------------------------- store */

function blankForm() {
  return {
    offering: null as number | null,
    slot: null as number | null,
    house: null as number | null,
    quantity: 1,
    fulfilment: '' as Fulfilment | '',
    contactName: '',
    contactPhone: '',
    note: '',
  }
}

export type BookingForm = ReturnType<typeof blankForm>

/** What a booking came to: the order, and the payment order started for it when it waits for money. */
export interface Booked {
  order: VendorOrder
  payment: PaymentOrder | null
}

export function createVendorsStore(api: VendorsApi, client: PayClient) {
  let kind: ListKind = 'housekeeping'
  let sort: VendorSort = 'name'
  /** The vendors of one kind, in the chosen order, a page at a time as I scroll. */
  const list = createPager<OwnerVendor>((page) => api.ownerVendors(kind, page, sort))
  /** My service orders, newest first, of one status or all. */
  let orderStatus: VendorOrderStatus | '' = ''
  const orders = createPager<VendorOrder>((page) => api.ownerVendorOrders(page, orderStatus || undefined))

  const state = reactive({
    kind: 'housekeeping' as ListKind,
    sort: 'name' as VendorSort,
    orderStatus: '' as VendorOrderStatus | '',
    vendor: null as OwnerVendorDetail | null,
    vendorStatus: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    vendorError: '',
    houses: [] as OwnerHouse[],
    form: blankForm(),
    errors: {} as Record<string, string>,
    submitting: false,
    ...checkoutFields(),
    detail: null as VendorOrder | null,
    detailError: '',
    busy: false,
    rating: { stars: 0, comment: '' },
    /** The payment order its page follows for the open order (0: none). */
    followedPayment: 0,
  })

  /** The idempotency key of the booking being sent, with the form it was for: sent again on a retry
   * of the same form (a lost answer, a double tap), a new one once the form changes or it went through. */
  let attempt: { signature: string; key: string } | null = null
  let vendorGeneration = 0

  /** Show my orders of one status ('' for all), from the first page. */
  function filterOrders(status: VendorOrderStatus | ''): Promise<void> {
    if (status !== orderStatus) {
      orders.reset()
      orderStatus = status
      state.orderStatus = status
    }
    return orders.load()
  }

  function loadVendors(next: ListKind): Promise<void> {
    if (next !== kind) {
      list.reset()
      kind = next
      state.kind = next
    }
    return list.load()
  }

  /** List the vendors by name or nearest first, from the first page. */
  function sortVendors(next: VendorSort): Promise<void> {
    if (next !== sort) {
      list.reset()
      sort = next
      state.sort = next
    }
    return list.load()
  }

  /** A vendor's page: its catalogue and slots, my houses and the ways to pay; a fresh form with my name. */
  async function openVendor(id: number): Promise<void> {
    const gen = ++vendorGeneration
    if (state.vendor?.id !== id) {
      state.vendor = null
      state.vendorStatus = 'loading'
    }
    state.vendorError = ''
    state.form = blankForm()
    state.errors = {}
    state.error = ''
    attempt = null
    const profileName = api
      .ownerProfile()
      .then((p) => p.name)
      .catch(() => '')
    try {
      const [vendor, houses] = await Promise.all([api.ownerVendor(id), api.ownerHouses(), loadMethods(state, api, client)])
      if (gen !== vendorGeneration) return
      state.vendor = vendor
      state.houses = houses
      state.vendorStatus = 'ready'
      if (houses.length === 1) state.form.house = houses[0].house
      if (vendor.offerings.length === 1) pickOffering(vendor.offerings[0].id)
      const name = await profileName
      if (gen === vendorGeneration && !state.form.contactName) state.form.contactName = name
    } catch (err) {
      if (gen !== vendorGeneration) return
      state.vendorError = messageOf(err)
      state.vendorStatus = 'error'
    }
  }

  /** Fresh slots (after a slot filled up under the owner), keeping the form. */
  async function refreshSlots(): Promise<void> {
    const v = state.vendor
    if (!v) return
    try {
      const fresh = await api.ownerVendor(v.id)
      if (state.vendor?.id !== fresh.id) return
      state.vendor = fresh
      // The picked slot filled up (or closed) meanwhile: the owner picks again.
      if (state.form.slot !== null && !fresh.slots.some((x) => x.id === state.form.slot && x.free > 0)) state.form.slot = null
    } catch {
      /* keep what is shown */
    }
  }

  const offering = (): OwnerOffering | null => state.vendor?.offerings.find((o) => o.id === state.form.offering) ?? null
  const isService = () => offering()?.kind === 'service'
  const slotDays = (): SlotDay[] => groupSlots(state.vendor?.slots ?? [])

  function pickOffering(id: number): void {
    if (!state.vendor?.offerings.some((o) => o.id === id)) return
    state.form.offering = id
    state.form.slot = null
    state.form.fulfilment = ''
    delete state.errors.offering
  }

  /** A slot with a free place; a full one is refused (it is shown disabled). */
  function pickSlot(id: number): boolean {
    const slot = state.vendor?.slots.find((s) => s.id === id)
    if (!slot || slot.free <= 0) return false
    state.form.slot = id
    delete state.errors.slot
    return true
  }

  function setQuantity(n: number): void {
    state.form.quantity = Math.min(Math.max(1, Math.round(n) || 1), QUANTITY_MAX)
  }

  function check(): boolean {
    const f = state.form
    const o = offering()
    const errors: Record<string, string> = {}
    if (!o) errors.offering = t('vendors.errors.offering')
    else if (o.kind === 'service' && !f.slot) errors.slot = t('vendors.errors.slot')
    else if (o.kind === 'goods' && !f.fulfilment) errors.fulfilment = t('vendors.errors.fulfilment')
    if (!f.house) errors.house = t('vendors.errors.house')
    if (!f.contactName.trim()) errors.contact_name = t('vendors.errors.contactName')
    if (!isCnMobile(f.contactPhone)) errors.contact_phone = t('vendors.errors.contactPhone')
    state.errors = errors
    return Object.keys(errors).length === 0
  }

  function request(): Omit<BookRequest, 'idempotency_key'> {
    const f = state.form
    const service = isService()
    return {
      vendor: state.vendor!.id,
      offering: f.offering!,
      slot: service ? f.slot : null,
      house: f.house!,
      quantity: f.quantity,
      ...(service ? {} : { fulfilment: f.fulfilment as Fulfilment }),
      contact_name: f.contactName.trim(),
      contact_phone: f.contactPhone.trim(),
      note: f.note.trim(),
    }
  }

  /** The payment order for an unpaid order of mine (null: refused, see `error`). */
  const pay = (order: VendorOrder) => startOrder(state, api, { house: order.house, charge_ids: [order.id], purpose: 'vendor_orders' })

  /**
   * Book what the form says; an order that waits for money gets its payment order at once. Null
   * when something needs fixing (`errors`); a slot that filled up meanwhile is refreshed.
   */
  async function submit(): Promise<Booked | null> {
    if (state.submitting || state.paying || !state.vendor || !check()) return null
    const body = request()
    const signature = JSON.stringify(body)
    if (!attempt || attempt.signature !== signature) attempt = { signature, key: newAttemptKey(Date.now(), Math.random, 'book') }
    state.submitting = true
    let order: VendorOrder
    try {
      order = await api.bookVendorOrder({ ...body, idempotency_key: attempt.key })
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        state.errors = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, v[0] ?? '']))
        if (err.fields.slot) {
          state.form.slot = null
          void refreshSlots()
        }
      } else state.errors = { form: messageOf(err) }
      return null
    } finally {
      state.submitting = false
    }
    attempt = null
    const payment = order.status === 'unpaid' ? await pay(order) : null
    return { order, payment }
  }

  /* ---- my orders */

  async function openOrder(id: number): Promise<void> {
    state.detailError = ''
    if (state.detail?.id !== id) {
      state.detail = null
      state.rating = { stars: 0, comment: '' }
      state.followedPayment = 0
    }
    try {
      state.detail = await api.ownerVendorOrder(id)
    } catch (err) {
      state.detail = null
      state.detailError = messageOf(err)
    }
  }

  const act = (run: () => Promise<VendorOrder>) => moveDetail<VendorOrder>(state, run)

  function cancelOrder(reason: string): Promise<boolean> {
    if (!state.detail) return Promise.resolve(false)
    const id = state.detail.id
    return act(() => api.cancelVendorOrder(id, reason.trim().slice(0, CANCEL_REASON_MAX)))
  }

  function rateOrder(): Promise<boolean> {
    if (!state.detail) return Promise.resolve(false)
    if (state.rating.stars < 1 || state.rating.stars > 5) {
      state.detailError = t('vendors.errors.stars')
      return Promise.resolve(false)
    }
    const id = state.detail.id
    const body = { rating: state.rating.stars, comment: state.rating.comment.trim() }
    return act(() => api.rateVendorOrder(id, body))
  }

  /** 投诉服务商: the complaint reaches the company's 投诉建议 (one per order). */
  function complainOrder(description: string): Promise<boolean> {
    if (!state.detail) return Promise.resolve(false)
    const text = description.trim().slice(0, COMPLAINT_MAX)
    if (!text) {
      state.detailError = t('vendorOrders.complaintEmpty')
      return Promise.resolve(false)
    }
    const id = state.detail.id
    return act(() => api.complainVendorOrder(id, text))
  }

  /** Pay the open order (its page's 去支付); the ways to pay are loaded first if need be. */
  async function payOrder(): Promise<PaymentOrder | null> {
    const order = state.detail
    if (!order || !canPay(order)) return null
    if (state.methodsStatus !== 'ready') await loadMethods(state, api, client)
    return pay(order)
  }

  function reset(): void {
    list.reset()
    orders.reset()
    orderStatus = ''
    sort = 'name'
    vendorGeneration++
    attempt = null
    Object.assign(state, {
      sort: 'name',
      orderStatus: '',
      vendor: null,
      vendorStatus: 'idle',
      vendorError: '',
      houses: [],
      form: blankForm(),
      errors: {},
      submitting: false,
      ...checkoutFields(),
      detail: null,
      detailError: '',
      busy: false,
      rating: { stars: 0, comment: '' },
      followedPayment: 0,
    })
  }

  return {
    state,
    list: list.state,
    loadVendors,
    loadMoreVendors: list.loadMore,
    sortVendors,
    orders: orders.state,
    loadOrders: orders.load,
    filterOrders,
    loadMoreOrders: orders.loadMore,
    openVendor,
    refreshSlots,
    offering,
    isService,
    slotDays,
    pickOffering,
    pickSlot,
    setQuantity,
    submit,
    openOrder,
    cancelOrder,
    rateOrder,
    complainOrder,
    payOrder,
    reset,
  }
}

export type VendorsStore = ReturnType<typeof createVendorsStore>
