import type { Job } from '@/api/types'

export interface TableColumn<Row = Record<string, unknown>> {
  prop: string
  label: string
  /** Sort on the server by this field (defaults to `prop`). */
  sortable?: boolean
  sortField?: string
  width?: number | string
  minWidth?: number | string
  /**
   * Long content ends in an ellipsis with the whole text in a tooltip. On by default for plain-text
   * columns; a column rendered by a `cell-<prop>` slot opts in (`true`).
   */
  tooltip?: boolean
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
  /** `number`: a numeric input without the search icon (e.g. an area bound). */
  type: 'text' | 'select' | 'number'
  options?: FilterOption[]
  placeholder?: string
  /** Value when the table first loads (e.g. status "pending" on a review list). */
  initial?: string | number | boolean
}

/** One line of a record's history in the detail drawer. */
export interface TimelineEntry {
  at: string
  actor: string
  action: string
  detail: string
}

export interface DetailItem {
  label: string
  value: string | number | null | undefined
}

export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024

/** What DataTable exposes to a parent's template ref (a generic component has no InstanceType). */
export interface DataTableHandle {
  reload: () => Promise<void>
}

/** The fields of a job that progress display needs (what resources embed, e.g. an import). */
export type JobSnapshot = Pick<Job, 'id' | 'status' | 'progress' | 'total' | 'message'>
