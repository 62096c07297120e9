import type { Position } from '@/api/staff'

/**
 * Where the phone is, if it will say within `timeoutMs`: null when the browser has no
 * geolocation (plain http on a LAN address, desktop without it), the user refuses, or it takes
 * too long. Clocking in never waits on it for longer than that.
 */
export function currentPosition(timeoutMs = 8000): Promise<Position | null> {
  const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined
  if (!geo) return Promise.resolve(null)
  return new Promise((resolve) => {
    let settled = false
    const finish = (value: Position | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(value)
    }
    // Some browsers never call back when the permission prompt is ignored: our own deadline.
    const timer = setTimeout(() => finish(null), timeoutMs + 500)
    try {
      geo.getCurrentPosition(
        (p) =>
          finish({
            latitude: p.coords.latitude,
            longitude: p.coords.longitude,
            accuracy: Number.isFinite(p.coords.accuracy) ? p.coords.accuracy : undefined,
          }),
        () => finish(null),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
      )
    } catch {
      finish(null)
    }
  })
}
