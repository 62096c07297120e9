/**
 * 订阅消息: WeChat lets the company send an owner one message per template for each time the owner
 * taps 允许 in `wx.requestSubscribeMessage`. The app asks at the natural moments — after paying,
 * after asking to bind a house (repairs later) — for the templates the server says are worth it
 * then, and reports the accepted ones; without any left the server tells the owner by SMS or the
 * inbox instead. Only the mini-program can ask: in H5 everything here is a no-op.
 *
 * WeChat shows the dialog only from a tap, so `prepare` loads the templates beforehand (page load)
 * and `ask` calls the platform before awaiting anything. Nothing here ever fails the owner's flow.
 */
import type { ApiClient } from '@/api/client'
import type { SubscribeMoment } from '@/api/types'
import type { Platform } from '@/platform/types'

export type SubscriptionsApi = Pick<ApiClient, 'wechatSubscriptions' | 'addWechatSubscriptions'>
export type SubscribePlatform = Pick<Platform, 'kind' | 'requestSubscribeMessage'>

export function createSubscriptionsStore(api: SubscriptionsApi, platform: SubscribePlatform) {
  const templates = new Map<SubscribeMoment, string[]>()
  const supported = platform.kind === 'mp-weixin'

  /** The templates to ask for at `moment` (none in H5, or when the company set none up). */
  async function prepare(moment: SubscribeMoment): Promise<string[]> {
    if (!supported) return []
    try {
      const ids = (await api.wechatSubscriptions(moment)).template_ids
      templates.set(moment, ids)
      return ids
    } catch {
      return []
    }
  }

  /** Whether there is something to ask for at `moment` (after `prepare`). */
  function offers(moment: SubscribeMoment): boolean {
    return supported && (templates.get(moment)?.length ?? 0) > 0
  }

  /** Ask (call straight from the tap); the accepted template ids, reported to the server. */
  function ask(moment: SubscribeMoment): Promise<string[]> {
    const ids = supported ? (templates.get(moment) ?? []) : []
    if (ids.length === 0) return Promise.resolve([])
    const asked = platform.requestSubscribeMessage(ids) // before any await: WeChat wants the tap's turn
    return (async () => {
      try {
        const answers = await asked
        const accepted = ids.filter((id) => answers[id] === 'accept')
        if (accepted.length > 0) await api.addWechatSubscriptions(accepted)
        return accepted
      } catch {
        return [] // refused, closed, or the report failed: the owner still hears by SMS or the inbox
      }
    })()
  }

  return { prepare, offers, ask }
}

export type SubscriptionsStore = ReturnType<typeof createSubscriptionsStore>
