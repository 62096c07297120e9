/**
 * Column widths that let a table header fit on one line. Element Plus sizes a column only from
 * its `width`/`min-width`, never from its title, so a long title ("建筑面积（m²）", "逾期 180 天以上")
 * in a default 100 px column wraps or is cut off. Measured for the admin's 14 px header font.
 */

/** Full-width characters (CJK, （）、：…) and the rest, in px at 14 px. */
const WIDE_PX = 14
const NARROW_PX = 8.5
/** The header cell's padding (12 px a side) plus its border and a little slack. */
const CELL_PADDING_PX = 28
/** The sort arrows beside a sortable column's title. */
const SORT_CARET_PX = 24

const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u

/** The width a header title needs on one line, in px. */
export function headerWidth(label: string, sortable = false): number {
  let text = 0
  for (const char of label) text += WIDE.test(char) ? WIDE_PX : NARROW_PX
  return Math.ceil(text + CELL_PADDING_PX + (sortable ? SORT_CARET_PX : 0))
}

/** A column's min-width: what it asks for, and never less than its title needs. */
export function columnMinWidth(
  label: string,
  { minWidth, sortable = false }: { minWidth?: number | string; sortable?: boolean } = {},
): number | string {
  const needed = headerWidth(label, sortable)
  if (typeof minWidth === 'string' && !/^\d+(px)?$/.test(minWidth)) return minWidth
  return Math.max(minWidth === undefined ? 0 : Number.parseInt(String(minWidth), 10), needed)
}
