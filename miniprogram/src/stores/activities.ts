/**
 * 社区活动: the activities for the owner's houses' estates, one with the owner's sign-up (confirmed
 * with its check-in code, or waiting with its place in the queue), signing up for 1..max people and
 * cancelling — over an API client passed in (the pages share the one in stores/session.ts). The
 * server decides who gets a seat; the page shows its answer.
 */
import { reactive } from 'vue'
import type { ApiClient } from '@/api/client'
import type { MySignUp, OwnerActivity, OwnerActivityDetail } from '@/api/types'
import { messageOf, moveDetail } from './detailMoves'
import { createPager } from './pager'

export type ActivitiesApi = Pick<
  ApiClient,
  'ownerActivities' | 'ownerActivity' | 'signUpActivity' | 'cancelActivitySignup' | 'mySignUps'
>

export function createActivitiesStore(api: ActivitiesApi) {
  const state = reactive({
    mine: [] as MySignUp[],
    detail: null as OwnerActivityDetail | null,
    detailError: '',
    people: 1,
    busy: false,
  })

  /** A page at a time as the owner scrolls; the first comes with my sign-ups (to mark the list). */
  const list = createPager<OwnerActivity>(async (page) => {
    if (page > 1) return api.ownerActivities(page)
    const [first, mine] = await Promise.all([api.ownerActivities(1), api.mySignUps()])
    state.mine = mine
    return first
  })

  /** My live sign-up (confirmed or waiting) for an activity of the list, if any. */
  const mineFor = (activityId: number) =>
    state.mine.find((s) => s.activity === activityId && s.status !== 'cancelled') ?? null

  async function open(id: number): Promise<void> {
    state.detailError = ''
    state.people = 1
    try {
      state.detail = await api.ownerActivity(id)
    } catch (err) {
      state.detail = null
      state.detailError = messageOf(err)
    }
  }

  const act = (run: () => Promise<OwnerActivityDetail>) => moveDetail<OwnerActivityDetail>(state, run)

  const d = () => state.detail
  /** Open for sign-up now: published, before the deadline, and I hold no live sign-up. */
  function canSignUp(now: Date = new Date()): boolean {
    const a = d()
    return !!a && a.status === 'published' && !a.my_signup && new Date(a.signup_deadline) >= now
  }
  /** Cancelling is allowed until the activity starts. */
  function canCancel(now: Date = new Date()): boolean {
    const a = d()
    return !!a && !!a.my_signup && a.status === 'published' && new Date(a.start_at) > now
  }
  const isFull = () => {
    const a = d()
    return !!a && a.confirmed_people >= a.capacity
  }
  function setPeople(n: number): void {
    const max = d()?.max_people ?? 1
    state.people = Math.min(Math.max(1, Math.round(n)), max)
  }

  const signUp = () => act(() => api.signUpActivity(state.detail!.id, { people: state.people }))
  const cancel = () => act(() => api.cancelActivitySignup(state.detail!.id))

  function reset(): void {
    list.reset()
    state.mine = []
    state.detail = null
    state.detailError = ''
    state.people = 1
    state.busy = false
  }

  return {
    list: list.state,
    state,
    load: list.load,
    loadMore: list.loadMore,
    mineFor,
    open,
    canSignUp,
    canCancel,
    isFull,
    setPeople,
    signUp,
    cancel,
    reset,
  }
}
