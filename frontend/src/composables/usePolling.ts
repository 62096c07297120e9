import { getCurrentScope, onScopeDispose, readonly, ref, toValue, type MaybeRefOrGetter } from 'vue'

export interface PollingOptions<T> {
  /** Wait between the end of one read and the start of the next, in ms. */
  interval: MaybeRefOrGetter<number>
  /** The answer says there is nothing more to wait for: polling stops after `onData`. */
  isDone?: (value: T) => boolean
  onData?: (value: T) => void
  /** A read failed; `failures` counts those in a row (a success resets it). */
  onError?: (error: unknown, failures: number) => void
  /** Give up after this many failures in a row (default: never). */
  maxFailures?: number
  /** After a failure the wait doubles (interval × 2^failures) up to this, in ms. */
  maxInterval?: number
}

export interface StartOptions {
  /** Read at once rather than after one interval (when what is in hand is not fresh). */
  immediate?: boolean
}

const DEFAULT_MAX_INTERVAL = 30_000

const pageHidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden'

/**
 * Read something again and again until it settles: one read at a time, the next one `interval`
 * after the last answer, backing off while reads fail, paused while the tab is hidden (and read at
 * once when it shows again), stopped when done, by `stop()`, or with the component (its scope).
 * An answer that arrives after a stop or a restart is dropped, so a slow read of an old target
 * never overwrites the new one.
 */
export function usePolling<T>(read: () => Promise<T>, options: PollingOptions<T>) {
  const active = ref(false)
  const failures = ref(0)
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped by every start and stop: a read compares it to tell whether its answer still counts. */
  let generation = 0
  let reading = false

  function clearTimer() {
    clearTimeout(timer)
    timer = undefined
  }

  function nextWait() {
    const interval = toValue(options.interval)
    if (failures.value === 0) return interval
    return Math.min(interval * 2 ** failures.value, options.maxInterval ?? DEFAULT_MAX_INTERVAL)
  }

  function schedule(wait: number) {
    clearTimer()
    // A hidden page waits for the visibility listener instead.
    if (active.value && !pageHidden()) timer = setTimeout(() => void tick(), wait)
  }

  async function tick() {
    timer = undefined
    if (!active.value || reading) return
    if (pageHidden()) return
    const mine = generation
    reading = true
    try {
      const value = await read()
      if (mine !== generation) return
      failures.value = 0
      options.onData?.(value)
      if (mine !== generation) return // onData started or stopped polling itself
      if (options.isDone?.(value)) return stop()
    } catch (error) {
      if (mine !== generation) return
      failures.value += 1
      options.onError?.(error, failures.value)
      if (mine !== generation) return
      if (failures.value >= (options.maxFailures ?? Infinity)) return stop()
    } finally {
      if (mine === generation) reading = false
    }
    schedule(nextWait())
  }

  /** (Re)start: forget failures and any read in flight, then read after one interval or at once. */
  function start({ immediate = false }: StartOptions = {}) {
    stop()
    failures.value = 0
    active.value = true
    if (immediate) void tick()
    else schedule(toValue(options.interval))
  }

  function stop() {
    generation += 1
    reading = false
    active.value = false
    clearTimer()
  }

  function onVisibilityChange() {
    if (pageHidden()) clearTimer()
    else if (active.value && !timer && !reading) void tick()
  }

  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onVisibilityChange)
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stop()
      document.removeEventListener('visibilitychange', onVisibilityChange)
    })
  }

  return { start, stop, active: readonly(active), failures: readonly(failures) }
}
