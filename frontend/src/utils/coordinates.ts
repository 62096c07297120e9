/**
 * Latitude and longitude as the server keeps them (decimal strings, at most six places, or null)
 * and as number inputs hold them (numbers, or null when empty). Never rounded further than the
 * server stores: six places is about 0.1 m.
 */
export function coordinateNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null
  const number = Number(value)
  return Number.isFinite(number) ? number : null
}

export function coordinateText(value: number | null | undefined): string | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value.toFixed(6)
}
