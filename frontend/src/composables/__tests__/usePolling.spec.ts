import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'

import { usePolling, type PollingOptions } from '@/composables/usePolling'

/** A polling run inside its own scope (as in a component), and the values its reads return. */
function poller<T>(answers: (() => T | Promise<T>)[], options: Partial<PollingOptions<T>> = {}) {
  const scope = effectScope()
  const seen: T[] = []
  const errors: number[] = []
  let reads = 0
  const read = vi.fn(async () => answers[Math.min(reads++, answers.length - 1)]())
  const polling = scope.run(() =>
    usePolling(read, {
      interval: 1000,
      onData: (value) => seen.push(value),
      onError: (_error, failures) => errors.push(failures),
      ...options,
    }),
  )!
  return { polling, read, seen, errors, scope }
}

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  })
  document.dispatchEvent(new Event('visibilitychange'))
}

const fail = () => Promise.reject(new Error('503'))

afterEach(() => setHidden(false))

describe('usePolling', () => {
  it('reads every interval after the last answer until the answer says done', async () => {
    vi.useFakeTimers()
    const { polling, read, seen } = poller([() => 1, () => 2, () => 3], {
      isDone: (n) => n === 3,
    })
    polling.start()
    expect(read).not.toHaveBeenCalled() // what is in hand is fresh: the first read waits
    await vi.advanceTimersByTimeAsync(999)
    expect(read).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(seen).toEqual([1])
    await vi.advanceTimersByTimeAsync(2000)
    expect(seen).toEqual([1, 2, 3])
    expect(polling.active.value).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(read).toHaveBeenCalledTimes(3)
  })

  it('reads at once when asked to', async () => {
    vi.useFakeTimers()
    const { polling, seen } = poller([() => 'now'])
    polling.start({ immediate: true })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual(['now'])
  })

  it('stops with its scope (the component unmounting)', async () => {
    vi.useFakeTimers()
    const { polling, read, scope } = poller([() => 1])
    polling.start()
    await vi.advanceTimersByTimeAsync(2000)
    expect(read).toHaveBeenCalledTimes(2)
    scope.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(read).toHaveBeenCalledTimes(2)
    expect(polling.active.value).toBe(false)
  })

  it('backs off while reads fail, and returns to the interval after a success', async () => {
    vi.useFakeTimers()
    const { polling, read, errors, seen } = poller([
      () => fail(),
      fail,
      fail,
      () => 'ok',
      () => 'ok',
    ])
    polling.start({ immediate: true })
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toEqual([1])
    await vi.advanceTimersByTimeAsync(1999) // 1000 × 2¹
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(errors).toEqual([1, 2])
    await vi.advanceTimersByTimeAsync(4000) // 1000 × 2²
    expect(errors).toEqual([1, 2, 3])
    await vi.advanceTimersByTimeAsync(8000) // 1000 × 2³
    expect(seen).toEqual(['ok'])
    expect(polling.failures.value).toBe(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(seen).toEqual(['ok', 'ok'])
  })

  it('caps the backoff and gives up after maxFailures in a row', async () => {
    vi.useFakeTimers()
    const { polling, read } = poller([fail], { maxInterval: 3000, maxFailures: 4 })
    polling.start({ immediate: true })
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(2000) // 2nd read
    await vi.advanceTimersByTimeAsync(3000) // capped: 3rd
    await vi.advanceTimersByTimeAsync(3000) // 4th: gives up
    expect(read).toHaveBeenCalledTimes(4)
    expect(polling.active.value).toBe(false)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(read).toHaveBeenCalledTimes(4)
  })

  it('pauses while the tab is hidden and reads at once when it shows again', async () => {
    vi.useFakeTimers()
    const { polling, read } = poller([() => 1])
    polling.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(read).toHaveBeenCalledTimes(1)
    setHidden(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(read).toHaveBeenCalledTimes(1)
    setHidden(false)
    await vi.advanceTimersByTimeAsync(0)
    expect(read).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(read).toHaveBeenCalledTimes(3)
  })

  it('drops the answer of a read that a restart overtook', async () => {
    vi.useFakeTimers()
    let release: (value: string) => void = () => undefined
    const slow = new Promise<string>((resolve) => (release = resolve))
    const { polling, seen } = poller([() => slow, () => 'new'])
    polling.start({ immediate: true })
    await vi.advanceTimersByTimeAsync(0)
    polling.start({ immediate: true }) // another target: the slow answer is no longer wanted
    await vi.advanceTimersByTimeAsync(0)
    release('old')
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual(['new'])
  })

  it('does nothing after stop', async () => {
    vi.useFakeTimers()
    const { polling, read } = poller([() => 1])
    polling.start()
    polling.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(read).not.toHaveBeenCalled()
  })
})
