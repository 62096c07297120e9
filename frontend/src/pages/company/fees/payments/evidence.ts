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
const MAX_DEPTH = 3

/** Every scalar of the evidence with its dotted path, in the order they come. */
function flatten(
  value: unknown,
  path = '',
  depth = 0,
  into: [string, Scalar][] = [],
): [string, Scalar][] {
  if (isScalar(value)) {
    if (path) into.push([path, value])
  } else if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    depth < MAX_DEPTH
  ) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      flatten(inner, path ? `${path}.${key}` : key, depth + 1, into)
    }
  }
  return into
}

const isScalar = (value: unknown): value is Scalar =>
  (typeof value === 'string' && value !== '') ||
  typeof value === 'number' ||
  typeof value === 'boolean'

export const hasEvidence = (evidence: unknown): evidence is Record<string, unknown> =>
  !!evidence && typeof evidence === 'object' && Object.keys(evidence).length > 0

/** A notification's decrypted `resource` is where its facts are: named without that prefix. */
const shown = (path: string) => path.replace(/^resource\./, '')

/**
 * Up to five [key, value] pairs: the telling fields first (found at any depth, so a notification's
 * `resource.trade_state` counts as `trade_state`), then whatever else is there.
 */
export function evidenceSummary(evidence: unknown): [string, string][] {
  if (!hasEvidence(evidence) || Array.isArray(evidence)) return []
  const flat = flatten(evidence)
  const telling: [string, Scalar][] = []
  for (const key of TELLING) {
    const found = flat.find(([path]) => path === key || path.endsWith(`.${key}`))
    if (found && !telling.includes(found)) telling.push(found)
  }
  const rest = flat.filter((entry) => !telling.includes(entry))
  return [...telling, ...rest]
    .slice(0, MAX_FIELDS)
    .map(([path, value]) => [shown(path), String(value)])
}
