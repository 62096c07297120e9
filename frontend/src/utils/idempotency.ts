/**
 * One idempotency key per payment attempt. The server records a payment once per key: a double
 * click, a retry after a timeout or a network error sends the same key and gets the first payment
 * back instead of taking the money twice. The key is dropped only when the attempt is over (the
 * payment succeeded, or the cashier starts another one), never on an error: after an error the
 * outcome may be unknown (the request may have reached the server), so the retry must reuse it.
 */

/** A random UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey(): string {
  const c = globalThis.crypto
  if (typeof c?.randomUUID === 'function') return c.randomUUID()
  const bytes = new Uint8Array(16)
  c.getRandomValues(bytes)
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export interface PaymentAttempt {
  /** The key of the attempt under way (made on first use). */
  readonly key: () => string
  /**
   * Send with the attempt's key: concurrent calls (a double click) share one request; a failure
   * keeps the key for the retry; a success ends the attempt.
   */
  readonly run: <T>(send: (key: string) => Promise<T>) => Promise<T>
  /** Start over: the next payment is a new one (another house, or after a success). */
  readonly reset: () => void
}

export function createAttempt(makeKey: () => string = newKey): PaymentAttempt {
  let current: string | null = null
  let inFlight: Promise<unknown> | null = null

  const key = () => (current ??= makeKey())

  function run<T>(send: (key: string) => Promise<T>): Promise<T> {
    if (inFlight) return inFlight as Promise<T>
    const sent = key()
    const promise = send(sent).then((result) => {
      if (current === sent) current = null
      return result
    })
    inFlight = promise
    promise
      .finally(() => {
        inFlight = null
      })
      .catch(() => undefined)
    return promise
  }

  return {
    key,
    run,
    reset: () => {
      current = null
    },
  }
}
