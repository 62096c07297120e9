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
import BrandingPage from '@/pages/company/settings/BrandingPage.vue'
import { jsonResponse } from '@/test/http'

const BRANDING = {
  display_name: '阳光物业',
  primary_color: '#1677ff',
  miniprogram_title: '阳光社区',
  logo_url: null,
}

afterEach(() => vi.unstubAllGlobals())

describe('BrandingPage', () => {
  it('loads the branding, saves it, and shows the server’s field errors under their fields', async () => {
    let refuse = false
    const all = fakeApi({
      'GET /api/v1/settings/branding/': () => jsonResponse(BRANDING),
      'PATCH /api/v1/settings/branding/': (call) =>
        refuse
          ? jsonResponse(
              { code: 'invalid', message: '名称重复', fields: { display_name: ['名称重复'] } },
              400,
            )
          : jsonResponse({ ...BRANDING, ...bodyOf(call) }),
    })
    await mountPage(BrandingPage, { path: '/settings/branding', permissions: ['settings.manage'] })
    expect(($('branding-display-name') as HTMLInputElement).value).toBe('阳光物业')
    await type('branding-display-name', '月光物业')
    await click('branding-save')
    await settle()
    const sent = calls(all, 'PATCH', '/api/v1/settings/branding/')
    expect(sent).toHaveLength(1)
    expect(bodyOf(sent[0])).toMatchObject({ display_name: '月光物业' })

    refuse = true
    await click('branding-save')
    await settle()
    expect(calls(all, 'PATCH', '/api/v1/settings/branding/')).toHaveLength(2)
    expect(fieldError('branding-display-name')).toContain('名称重复')
  })
})
