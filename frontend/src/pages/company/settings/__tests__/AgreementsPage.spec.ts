import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  $,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  mountPage,
  settle,
  type,
} from '@/pages/company/basic-data/__tests__/helpers'
import AgreementsPage from '@/pages/company/settings/AgreementsPage.vue'
import { jsonResponse } from '@/test/http'

const DEFAULTS = {
  default_user_agreement: '# 阳光物业 用户协议\n\n欢迎使用',
  default_privacy_policy: '# 阳光物业 隐私政策\n\n我们重视',
}

afterEach(() => vi.unstubAllGlobals())

const textarea = (kind: string) => $(`agreements-${kind}`) as HTMLTextAreaElement

describe('AgreementsPage', () => {
  it('edits from the default template, saves the company’s own text, restores the template', async () => {
    let saved = { user_agreement: '', privacy_policy: '' }
    let refuse = false
    const all = fakeApi({
      'GET /api/v1/settings/agreements/': () => jsonResponse({ ...saved, ...DEFAULTS }),
      'PATCH /api/v1/settings/agreements/': (call) => {
        if (refuse) {
          return jsonResponse(
            { code: 'validation_error', message: '内容包含不允许的控制字符。', fields: { privacy_policy: ['内容包含不允许的控制字符。'] } },
            400,
          )
        }
        saved = { ...saved, ...(bodyOf(call) as typeof saved) }
        return jsonResponse({ ...saved, ...DEFAULTS })
      },
    })
    await mountPage(AgreementsPage, { path: '/settings/agreements', permissions: ['settings.manage'] })
    // No text of its own: the template is shown, marked as the default.
    expect(textarea('user_agreement').value).toBe(DEFAULTS.default_user_agreement)
    expect($('agreements-user_agreement-default')).not.toBeNull()

    await type('agreements-user_agreement', '# 本公司用户协议\n\n第一条')
    await click('agreements-save')
    await settle()
    const sent = calls(all, 'PATCH', '/api/v1/settings/agreements/')
    expect(sent).toHaveLength(1)
    // The untouched template is sent blank: the company keeps following it.
    expect(bodyOf(sent[0])).toEqual({ user_agreement: '# 本公司用户协议\n\n第一条', privacy_policy: '' })
    expect($('agreements-user_agreement-default')).toBeNull()
    expect($('agreements-privacy_policy-default')).not.toBeNull()

    await click('agreements-user_agreement-restore')
    expect(textarea('user_agreement').value).toBe(DEFAULTS.default_user_agreement)
    await click('agreements-save')
    await settle()
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/settings/agreements/')[1])).toEqual({
      user_agreement: '',
      privacy_policy: '',
    })
    expect($('agreements-user_agreement-default')).not.toBeNull()

    refuse = true
    await type('agreements-privacy_policy', 'bad')
    await click('agreements-save')
    await settle()
    expect(fieldError('agreements-privacy_policy')).toContain('控制字符')
  })
})
