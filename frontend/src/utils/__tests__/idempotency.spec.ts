import { describe, expect, it } from 'vitest'

import { createAttempt, newKey } from '@/utils/idempotency'

function counter() {
  let n = 0
  return () => `key-${++n}`
}

describe('newKey', () => {
  it('makes distinct v4 UUIDs', () => {
    const a = newKey()
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(newKey()).not.toBe(a)
  })
})

describe('createAttempt', () => {
  it('reuses the key when a request fails (the retry must not take money twice)', async () => {
    const attempt = createAttempt(counter())
    const sent: string[] = []
    await expect(
      attempt.run(async (key) => {
        sent.push(key)
        throw new Error('network')
      }),
    ).rejects.toThrow('network')
    await attempt.run(async (key) => {
      sent.push(key)
      return 'paid'
    })
    expect(sent).toEqual(['key-1', 'key-1'])
  })

  it('starts a new key after a success', async () => {
    const attempt = createAttempt(counter())
    const sent: string[] = []
    await attempt.run(async (key) => sent.push(key))
    await attempt.run(async (key) => sent.push(key))
    expect(sent).toEqual(['key-1', 'key-2'])
  })

  it('sends one request for a double click', async () => {
    const attempt = createAttempt(counter())
    let calls = 0
    let release: (value: string) => void = () => undefined
    const send = (key: string) => {
      calls++
      return new Promise<string>((resolve) => {
        release = () => resolve(key)
      })
    }
    const first = attempt.run(send)
    const second = attempt.run(send)
    release('x')
    expect(await first).toBe('key-1')
    expect(await second).toBe('key-1')
    expect(calls).toBe(1)
  })

  it('reset begins another payment', async () => {
    const attempt = createAttempt(counter())
    expect(attempt.key()).toBe('key-1')
    expect(attempt.key()).toBe('key-1')
    attempt.reset()
    expect(attempt.key()).toBe('key-2')
  })
})
