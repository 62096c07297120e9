export interface TableColumn<Row = Record<string, unknown>> {
  prop: string
  label: string
  /** Sort on the server by this field (defaults to `prop`). */
  sortable?: boolean
  sortField?: string
  width?: number | string
  minWidth?: number | string
  /** Plain-text rendering; use the `cell-<prop>` slot for anything richer. */
  formatter?: (row: Row) => string
}

export interface FilterOption {
  label: string
  value: string | number | boolean
}

export interface TableFilter {
  /** Query parameter name, e.g. `search`, `role`, `is_active`. */
  key: string
  label: string
  type: 'text' | 'select'
  options?: FilterOption[]
  placeholder?: string
}

export interface DetailItem {
  label: string
  value: string | number | null | undefined
}

export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024
