/**
 * 在线缴费: choosing bills, the server's quote of what they come to (late fees included), the ways
 * to pay on this device, starting an order, and following it until the server says how it ended.
 *
 * The app adds nothing up: the total is the quote's. An order is pending — 支付处理中 — until the
 * server (which waits for the gateway's verified word) says paid, failed or closed.
 */
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import type { OwnerHouseBills, OwnerPayment, PayClient, PaymentOrder, PaymentOrderStatus, PaymentQuote } from '@/api/types'
import { t } from '@/i18n'
import type { LoadStatus } from './bills'
import { PAGES } from '@/config/routes'
import { checkoutFields, chooseMethod, loadMethods as loadMethodsInto, startOrder } from './checkout'

export { methodKey, newAttemptKey } from './checkout'

export type PayApi = Pick<ApiClient, 'paymentMethods' | 'paymentQuote' | 'startPayment' | 'paymentOrder' | 'ownerBillHistory'>

const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : t('errors.generic'))

/* ---------------------------------------------------------------- views (pure) */

/** Charges the owner may tick: lines still owing that the company takes online. */
export function payableIds(house: OwnerHouseBills): number[] {
  return [...house.overdue, ...house.due].filter((l) => l.payable_online).map((l) => l.id)
}

/** How the result page shows an order: anything not yet final is "processing", never paid or failed. */
export type OrderView = 'processing' | 'paid' | 'failed' | 'closed' | 'refunded'

export function orderView(status: PaymentOrderStatus): OrderView {
  switch (status) {
    case 'paid':
      return 'paid'
    case 'failed':
      return 'failed'
    case 'closed':
      return 'closed'
    case 'partially_refunded':
    case 'refunded':
      return 'refunded'
    default:
      return 'processing'
  }
}

/** The owner's payment that an order became (bills: `settled_reference` is its id), from history. */
export function paymentOf(order: PaymentOrder, history: readonly OwnerPayment[]): OwnerPayment | null {
  if (!order.settled_reference) return null
  return history.find((p) => String(p.id) === order.settled_reference) ?? null
}

/** A paid bills order becomes a payment of the bill history (its receipt); other purposes do not. */
const hasReceipt = (order: PaymentOrder): boolean => order.purpose === 'bills' && !!order.settled_reference

/** The result page, for an order. */
export function payResultUrl(orderId: number): string {
  return `${PAGES.payResult}?order=${orderId}`
}

/* ---------------------------------------------------------------- store */

export function createPayStore(api: PayApi, client: PayClient) {
  const state = reactive({
    house: null as number | null,
    /** Every payable charge of the house (what "all due" means). */
    payable: [] as number[],
    selected: [] as number[],
    quote: null as PaymentQuote | null,
    quoteStatus: 'idle' as LoadStatus,
    quoteError: '',
    ...checkoutFields(),
  })
  let quoteGeneration = 0

  /** The bills page shows this house: every payable charge ticked, its quote and the methods loaded. */
  async function open(house: OwnerHouseBills): Promise<void> {
    const payable = payableIds(house)
    const same = state.house === house.house && payable.join() === state.payable.join()
    state.house = house.house
    state.payable = payable
    if (!same) state.selected = [...payable]
    state.error = ''
    await Promise.all([loadQuote(), state.methodsStatus === 'ready' ? Promise.resolve() : loadMethods()])
  }

  function allSelected(): boolean {
    return state.payable.length > 0 && state.selected.length === state.payable.length
  }

  function toggle(id: number): void {
    if (!state.payable.includes(id)) return
    state.selected = state.selected.includes(id) ? state.selected.filter((x) => x !== id) : state.payable.filter((x) => x === id || state.selected.includes(x))
    void loadQuote()
  }

  function toggleAll(): void {
    state.selected = allSelected() ? [] : [...state.payable]
    void loadQuote()
  }

  /** "All due" asks for no ids: the server takes whatever is due now. */
  function chosenIds(): number[] {
    return allSelected() ? [] : [...state.selected]
  }

  async function loadQuote(): Promise<void> {
    const gen = ++quoteGeneration
    if (state.house === null || state.selected.length === 0) {
      state.quote = null
      state.quoteStatus = 'idle'
      return
    }
    state.quoteStatus = 'loading'
    try {
      const quote = await api.paymentQuote(state.house, chosenIds())
      if (gen !== quoteGeneration) return
      state.quote = quote
      state.quoteStatus = 'ready'
      state.quoteError = ''
    } catch (err) {
      if (gen !== quoteGeneration) return
      state.quote = null
      state.quoteStatus = 'error'
      state.quoteError = messageOf(err)
    }
  }

  const loadMethods = () => loadMethodsInto(state, api, client)

  function choose(key: string): void {
    chooseMethod(state, key)
  }

  /** Start an order for the chosen charges with the chosen method (null: refused, see `error`). */
  async function start(): Promise<PaymentOrder | null> {
    if (state.house === null || state.selected.length === 0) return null
    return startOrder(state, api, { house: state.house, charge_ids: chosenIds(), purpose: 'bills' })
  }

  function reset(): void {
    quoteGeneration++
    Object.assign(state, {
      house: null,
      payable: [],
      selected: [],
      quote: null,
      quoteStatus: 'idle',
      quoteError: '',
      ...checkoutFields(),
    })
  }

  return { state, open, toggle, toggleAll, allSelected, choose, start, loadQuote, loadMethods, reset }
}

export type PayStore = ReturnType<typeof createPayStore>

/* ---------------------------------------------------------------- following an order */

/**
 * The result page's order: asked again every `intervalMs` while it is processing (up to `maxPolls`
 * times, then the owner refreshes by hand); once paid, its payment and receipt from the history.
 */
export function createOrderWatch(api: PayApi, options: { intervalMs?: number; maxPolls?: number; schedule?: (fn: () => void, ms: number) => unknown } = {}) {
  const intervalMs = options.intervalMs ?? 2000
  const maxPolls = options.maxPolls ?? 60
  const schedule = options.schedule ?? ((fn, ms) => setTimeout(fn, ms))
  const state = reactive({
    order: null as PaymentOrder | null,
    view: 'processing' as OrderView,
    status: 'idle' as LoadStatus,
    error: '',
    /** Stopped asking while still processing: show "refresh". */
    gaveUp: false,
    payment: null as OwnerPayment | null,
  })
  let polls = 0
  let id = 0
  // Bumped by follow and stop: a scheduled check of an earlier follow does nothing.
  let generation = 0

  async function check(gen: number): Promise<void> {
    const current = () => gen === generation
    try {
      const order = await api.paymentOrder(id)
      if (!current()) return
      state.order = order
      state.view = orderView(order.status)
      state.status = 'ready'
      state.error = ''
      if (state.view === 'paid' && hasReceipt(order) && !state.payment) {
        const page = await api.ownerBillHistory(order.house, 1)
        if (current()) state.payment = paymentOf(order, page.results)
      }
    } catch (err) {
      if (!current()) return
      state.error = messageOf(err)
      if (!state.order) state.status = 'error'
    }
    const waiting = state.view === 'processing' || (state.view === 'paid' && !!state.order && hasReceipt(state.order) && !state.payment)
    if (!waiting || !current()) return
    polls += 1
    if (polls >= maxPolls) {
      state.gaveUp = true
      return
    }
    schedule(() => void check(gen), intervalMs)
  }

  async function follow(orderId: number): Promise<void> {
    const gen = ++generation
    id = orderId
    polls = 0
    state.gaveUp = false
    if (state.order?.id !== orderId) {
      state.order = null
      state.payment = null
      state.view = 'processing'
      state.status = 'loading'
    }
    await check(gen)
  }

  function stop(): void {
    generation++
  }

  return { state, follow, stop }
}
