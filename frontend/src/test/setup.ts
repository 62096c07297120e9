import { config, enableAutoUnmount } from '@vue/test-utils'
import { afterEach, vi } from 'vitest'

import { createAppI18n } from '@/locales'

// jsdom lacks these browser APIs that Element Plus touches.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList
}

// async-validator logs every failed rule to the console in development.
process.env.ASYNC_VALIDATOR_NO_WARNING = '1'

// vue-router scrolls on navigation; jsdom only logs "not implemented".
window.scrollTo = () => undefined

// Component tests read zh-CN strings unless they install their own i18n.
config.global.plugins = [createAppI18n('zh-CN')]

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

// Unmount every wrapper a test mounted while jsdom still stands (hooks run last-registered
// first, so before the body is cleared): left mounted, a popover's listeners were torn down with
// the environment and Vitest reported an unhandled rejection that fails the run.
enableAutoUnmount(afterEach)
