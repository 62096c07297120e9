/** Applies a company's primary colour to Element Plus by rewriting its CSS variables. */

function parseHex(hex: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim())
  if (!m) return null
  const n = parseInt(m[1], 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

function toHex([r, g, b]: [number, number, number]): string {
  return '#' + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')
}

/** Mix `color` with `other`; `weight` is the share of `other` (0..1). */
export function mix(color: string, other: string, weight: number): string {
  const a = parseHex(color)
  const b = parseHex(other)
  if (!a || !b) return color
  return toHex(
    [0, 1, 2].map((i) => a[i] * (1 - weight) + b[i] * weight) as [number, number, number],
  )
}

/** The variables Element Plus derives from `--el-color-primary` at build time. */
export function primaryPalette(color: string): Record<string, string> {
  const base = color.toLowerCase()
  const palette: Record<string, string> = { '--el-color-primary': base }
  for (const level of [3, 5, 7, 8, 9]) {
    palette[`--el-color-primary-light-${level}`] = mix(base, '#ffffff', level / 10)
  }
  palette['--el-color-primary-dark-2'] = mix(base, '#000000', 0.2)
  return palette
}

export function applyPrimaryColor(color: string | null | undefined, root?: HTMLElement): boolean {
  const target = root ?? document.documentElement
  if (!color || !parseHex(color)) return false
  for (const [name, value] of Object.entries(primaryPalette(color))) {
    target.style.setProperty(name, value)
  }
  return true
}
