/**
 * The house-number pattern of "generate houses", previewed in the browser before the server
 * applies it with Python's str.format: `{floor}{index:02d}` gives 101, 102 … 1801.
 * Only the two fields the server passes (floor, index) and integer widths are understood;
 * anything else makes the pattern invalid here rather than a surprise there.
 */

/**
 * The two fields by the names a screen shows them: the server's (floor, index) and, for a zh-CN
 * screen, 楼层 and 序号. `toServerPattern` turns the latter into the former before sending.
 */
const FIELDS: Record<string, 'floor' | 'index'> = {
  floor: 'floor',
  index: 'index',
  楼层: 'floor',
  序号: 'index',
}
const TOKEN = /\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}|[{}]/g
const SPEC = /^(0?)(\d*)d?$/

export function formatHouseNumber(
  pattern: string,
  values: { floor: number; index: number },
): string | null {
  let out = ''
  let last = 0
  let valid = true
  pattern.replace(TOKEN, (token, field: string | undefined, spec: string | undefined, offset) => {
    out += pattern.slice(last, offset)
    last = offset + token.length
    if (token === '{{' || token === '}}') {
      out += token[0]
      return token
    }
    if (field === undefined || !Object.hasOwn(FIELDS, field)) {
      valid = false
      return token
    }
    const match = SPEC.exec(spec ?? '')
    if (!match) {
      valid = false
      return token
    }
    const text = String(values[FIELDS[field]])
    const width = match[2] ? Number(match[2]) : 0
    out += match[1] ? text.padStart(width, '0') : text.padStart(width, ' ')
    return token
  })
  out += pattern.slice(last)
  return valid && out.trim() ? out : null
}

/** The numbers shown in the preview: the first floor's, then the top floor's. */
export function previewNumbers(
  pattern: string,
  floors: number,
  perFloor: number,
  shown = 3,
): { first: string[]; last: string[] } | null {
  if (floors < 1 || perFloor < 1) return { first: [], last: [] }
  const row = (floor: number, indexes: number[]) =>
    indexes.map((index) => formatHouseNumber(pattern, { floor, index }))
  const firstIndexes = Array.from({ length: Math.min(perFloor, shown) }, (_, i) => i + 1)
  const first = row(1, firstIndexes)
  const lastIndexes = Array.from(
    { length: Math.min(perFloor, shown) },
    (_, i) => perFloor - Math.min(perFloor, shown) + i + 1,
  )
  const last = floors > 1 ? row(floors, lastIndexes) : []
  if ([...first, ...last].some((n) => n === null)) return null
  return { first: first as string[], last: last as string[] }
}

/** True when two houses of a unit would get the same number (e.g. a pattern without {index}). */
export function numbersCollide(pattern: string, floors: number, perFloor: number): boolean {
  const seen = new Set<string>()
  for (let floor = 1; floor <= floors; floor++) {
    for (let index = 1; index <= perFloor; index++) {
      const number = formatHouseNumber(pattern, { floor, index })
      if (number === null) return false
      if (seen.has(number)) return true
      seen.add(number)
    }
  }
  return false
}

/** The pattern as the server reads it: {楼层} and {序号} (with any width) named floor and index. */
export function toServerPattern(pattern: string): string {
  return pattern.replace(TOKEN, (token, field: string | undefined, spec: string | undefined) =>
    field !== undefined && Object.hasOwn(FIELDS, field)
      ? `{${FIELDS[field]}${spec === undefined ? '' : `:${spec}`}}`
      : token,
  )
}
