import { computed, reactive, ref, type ComputedRef, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'

import type { DataTableHandle } from '@/components/types'
import { useAuthStore } from '@/stores/auth'
import { toast } from '@/utils/message'

/** The writes a CRUD panel makes; the `crud()` objects of the API modules fit. */
export interface CrudApi<Body> {
  create: (body: Body) => Promise<unknown>
  update: (id: number, body: Body) => Promise<unknown>
  remove: (id: number) => Promise<unknown>
}

export interface CrudPanelOptions<Item, Form, Body> {
  /** Who may create, edit and delete (the list itself is for whoever can open the page). */
  permission: string
  api: CrudApi<Body>
  /** The form's values for editing `row`, or for a new item when it is null. */
  formFor: (row: Item | null) => Form
  /** The request body for the form's values, e.g. with text trimmed. */
  bodyOf: (form: Form) => Body
  /** i18n key of the toast after a delete. */
  deletedMessage: string
  /** Runs once the dialog is open, e.g. to refresh the options of its selects. */
  onOpen?: () => void
}

export interface CrudPanel<Item, Form> {
  canManage: ComputedRef<boolean>
  /** The DataTable's template ref. */
  table: Ref<DataTableHandle | undefined>
  dialogOpen: Ref<boolean>
  /** The row the dialog edits; null while it creates one. */
  editing: Ref<Item | null>
  form: Form
  openDialog: (row: Item | null) => void
  /** FormDialog's `submit`. */
  submit: () => Promise<unknown>
  /** FormDialog's `success` handler. */
  saved: () => void
  /** ConfirmButton's `action`. */
  remove: (row: Item) => Promise<void>
}

/**
 * The state of a list with a create/edit dialog and a delete button: which row the dialog edits,
 * its form, the save and delete calls, and the table reload after each.
 *
 * Server errors need nothing here: FormDialog puts a rejected save's field errors under their
 * inputs, and ConfirmButton toasts a refused delete (a 409 for an item still in use) and keeps the
 * row. Bind `table` as the DataTable's template ref so a save or delete reloads the list.
 */
export function useCrudPanel<
  Item extends { id: number },
  Form extends Record<string, unknown>,
  Body,
>(options: CrudPanelOptions<Item, Form, Body>): CrudPanel<Item, Form> {
  const { t } = useI18n()
  const auth = useAuthStore()
  const canManage = computed(() => auth.hasPermission(options.permission))
  const table = ref<DataTableHandle>()

  const dialogOpen = ref(false)
  const editing = ref(null) as Ref<Item | null>
  // Owned here so the page's rules and fields read the same object the dialog submits.
  const form = reactive(options.formFor(null)) as Form

  function openDialog(row: Item | null) {
    editing.value = row
    Object.assign(form, options.formFor(row))
    dialogOpen.value = true
    options.onOpen?.()
  }

  async function submit() {
    const body = options.bodyOf(form)
    return editing.value ? options.api.update(editing.value.id, body) : options.api.create(body)
  }

  function saved() {
    toast.success(t('common.saved'))
    void table.value?.reload()
  }

  /** Rejects when the server refuses, so ConfirmButton shows why and nothing is toasted here. */
  async function remove(row: Item) {
    await options.api.remove(row.id)
    toast.success(t(options.deletedMessage))
    void table.value?.reload()
  }

  return { canManage, table, dialogOpen, editing, form, openDialog, submit, saved, remove }
}
