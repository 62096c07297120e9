/**
 * An event's evidence in a line: the fields that tell what the gateway said (its state, its
 * references, the amount, when), nested objects flattened one level ("amount.refund"). The whole
 * evidence stays one click away; this is what a reader scans for.
 */
const TELLING = [
  'trade_state',
  'refund_status',
  'status',
  'state',
  'transaction_id',
  'refund_id',
  'out_refund_no',
  'amount',
  'amount.total',
  'amount.refund',
  'amount.payer_total',
  'reason',
  'success_time',
  'code',
  'message',
  'event_type',
]
const MAX_FIELDS = 5

type Scalar = string | number | boolean

function flatten(evidence: Record<string, unknown>): Map<string, Scalar> {
  const flat = new Map<string, Scalar>()
  for (const [key, value] of Object.entries(evidence)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, deep] of Object.entries(value as Record<string, unknown>)) {
        if (isScalar(deep)) flat.set(`${key}.${inner}`, deep)
      }
    } else if (isScalar(value)) {
      flat.set(key, value)
    }
  }
  return flat
}

const isScalar = (value: unknown): value is Scalar =>
  (typeof value === 'string' && value !== '') ||
  typeof value === 'number' ||
  typeof value === 'boolean'

export const hasEvidence = (evidence: unknown): evidence is Record<string, unknown> =>
  !!evidence && typeof evidence === 'object' && Object.keys(evidence).length > 0

/** Up to five [key, value] pairs: the telling fields first, then whatever else is there. */
export function evidenceSummary(evidence: unknown): [string, string][] {
  if (!hasEvidence(evidence) || Array.isArray(evidence)) return []
  const flat = flatten(evidence)
  const keys = [
    ...TELLING.filter((key) => flat.has(key)),
    ...[...flat.keys()].filter((key) => !TELLING.includes(key)),
  ]
  return keys.slice(0, MAX_FIELDS).map((key) => [key, String(flat.get(key))])
}
