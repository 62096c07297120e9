import { afterEach, describe, expect, it, vi } from 'vitest'

import { feedbackRoute } from '@/router/feedback'
import { sectionTabs } from '@/router/sectionTabs'
import { jsonResponse } from '@/test/http'

import FeedbackSettingsPage from '../FeedbackSettingsPage.vue'
import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  settle,
} from '../../basic-data/__tests__/helpers'

function backend() {
  let settings = { reply_hours: 24 }
  return fakeApi({
    'GET /api/v1/feedback-settings/': () => jsonResponse(settings),
    'PATCH /api/v1/feedback-settings/': (call) => {
      const body = bodyOf(call) as typeof settings
      if (body.reply_hours > 500) {
        return jsonResponse(
          {
            code: 'invalid',
            message: '',
            fields: { reply_hours: ['回复时限应在 1 到 720 小时之间。'] },
          },
          400,
        )
      }
      settings = body
      return jsonResponse(settings)
    },
  })
}

async function setHours(value: number) {
  const input = $('settings-reply_hours')!.querySelector('input')!
  input.value = String(value)
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await settle()
}

const open = () =>
  mountPage(FeedbackSettingsPage, {
    path: '/feedback/settings',
    permissions: ['feedback.handle', 'feedback.manage'],
    modules: ['feedback'],
  })

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('投诉建议设置', () => {
  it('shows the reply hours and saves a change', async () => {
    const all = backend()
    await open()
    const input = $('settings-reply_hours')!.querySelector('input') as HTMLInputElement
    expect(input.value).toBe('24')
    expect($('feedback-settings-page')?.textContent).toContain('之后提交')
    await setHours(8)
    await click('settings-save')
    expect(calls(all, 'PATCH', '/api/v1/feedback-settings/')).toHaveLength(1)
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/feedback-settings/')[0]!)).toEqual({
      reply_hours: 8,
    })
  })

  it('shows the server’s refusal under the field', async () => {
    backend()
    await open()
    await setHours(600)
    await click('settings-save')
    await settle()
    expect(fieldError('settings-reply_hours')).toContain('1 到 720')
  })

  it('is a tab for feedback.manage only; the trends for the handlers and the analytics readers', () => {
    const tabs = (held: string[]) =>
      sectionTabs(feedbackRoute.children!, (p) => held.includes(p)).map((tab) => tab.name)
    expect(tabs(['feedback.handle'])).toEqual(['feedback-items', 'feedback-stats'])
    expect(tabs(['feedback.handle', 'feedback.manage'])).toEqual([
      'feedback-items',
      'feedback-stats',
      'feedback-settings',
    ])
    expect(tabs(['analytics.view'])).toEqual(['feedback-stats'])
    expect(tabs(['repairs.work'])).toEqual([])
  })
})
