/**
 * Discounts (优惠): rules (收费管理 → 优惠规则), the desk's prepayment quote and payment (预缴), vacancy
 * discounts requested at the desk and decided in 审批, and fixed reductions of a charge.
 */
import { api, type ApiPath, type Schemas } from './contract'

export type DiscountRule = Schemas['DiscountRule']
export type DiscountRuleWrite = Schemas['DiscountRuleRequest']
export type DiscountKind = Schemas['DiscountRuleKindEnum']
export type PrepayQuote = Schemas['PrepayQuote']
export type PrepayResult = Schemas['PrepayResult']
export type PrepayWrite = Schemas['PrepayInputRequest']
export type Vacancy = Schemas['Vacancy']
export type VacancyWrite = Schemas['VacancyRequestRequest']

export const DISCOUNT_KINDS: readonly DiscountKind[] = [
  'prepay_percent',
  'prepay_free_cycles',
  'vacancy',
  'fixed',
]

/** Which optional fields each kind takes (the server clears and checks the others). */
export const KIND_FIELDS: Record<
  DiscountKind,
  readonly ('percent' | 'amount' | 'min_cycles' | 'free_cycles')[]
> = {
  prepay_percent: ['percent', 'min_cycles'],
  prepay_free_cycles: ['min_cycles', 'free_cycles'],
  vacancy: ['percent'],
  fixed: ['amount'],
}

export const DISCOUNT_ENDPOINTS = {
  rules: '/api/v1/discount-rules/',
  vacancies: '/api/v1/vacancy-discounts/',
} as const satisfies Record<string, ApiPath>

const LOCAL = { handleErrorsLocally: true } as const

export const discountRulesApi = {
  list: (query: { kind?: DiscountKind; active?: boolean; fee_item?: number } = {}) =>
    api.get('/api/v1/discount-rules/', { query: { ...query, page_size: 200 } }),
  create: (body: DiscountRuleWrite) => api.post('/api/v1/discount-rules/', body),
  update: (id: number, body: Partial<DiscountRuleWrite>) =>
    api.patch('/api/v1/discount-rules/{id}/', body, { path: { id } }),
}

export const prepayApi = {
  quote: (house: number, feeItem: number, cycles: number) =>
    api.post(
      '/api/v1/prepay/houses/{id}/quote/',
      { fee_item: feeItem, cycles },
      { path: { id: house }, ...LOCAL },
    ),
  pay: (house: number, body: PrepayWrite) =>
    api.post('/api/v1/prepay/houses/{id}/pay/', body, { path: { id: house }, ...LOCAL }),
}

export const vacanciesApi = {
  request: (body: VacancyWrite) => api.post('/api/v1/vacancy-discounts/', body),
  approve: (id: number, note: string) =>
    api.post('/api/v1/vacancy-discounts/{id}/approve/', { note }, { path: { id }, ...LOCAL }),
  reject: (id: number, note: string) =>
    api.post('/api/v1/vacancy-discounts/{id}/reject/', { note }, { path: { id }, ...LOCAL }),
}
