import { beforeEach, describe, expect, it, vi } from 'vitest'
import { parseAgreement } from '@/utils/agreement'
import { agreementUrl } from '@/config/routes'
import { byTestId, one, render, settle } from './support/render'
import { backend, resetSession } from './support/fake-session'

const hooks = vi.hoisted(() => ({ onLoad: [] as Array<(q: Record<string, string>) => unknown> }))
vi.mock('@dcloudio/uni-app', () => ({
  onShow: () => undefined,
  onLoad: (fn: (q: Record<string, string>) => unknown) => hooks.onLoad.push(fn),
}))
vi.mock('@/platform', () => ({
  platform: { navigateTo: vi.fn(), setNavigationBarTitle: vi.fn(), toast: vi.fn() },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))

const AgreementPage = (await import('@/pages/agreement/agreement.vue')).default
const { platform } = await import('@/platform')

async function open(query: Record<string, string>): Promise<string> {
  hooks.onLoad.length = 0
  await render(AgreementPage)
  await Promise.all(hooks.onLoad.map((fn) => fn(query)))
  await settle()
  return render(AgreementPage)
}

beforeEach(() => resetSession())

describe('agreement text', () => {
  it('reads headings, list items and paragraphs from minimal Markdown', () => {
    expect(parseAgreement('# 标题\r\n\r\n第一行\n第二行\n\n## 一、服务\n- 缴费\n* 开票\n\n末段')).toEqual([
      { kind: 'title', text: '标题' },
      { kind: 'paragraph', lines: ['第一行', '第二行'] },
      { kind: 'heading', text: '一、服务' },
      { kind: 'item', text: '缴费' },
      { kind: 'item', text: '开票' },
      { kind: 'paragraph', lines: ['末段'] },
    ])
    expect(parseAgreement('')).toEqual([])
    expect(agreementUrl('privacy_policy')).toBe('/pages/agreement/agreement?kind=privacy_policy')
  })

  it('shows the company’s text as text: markup in it is never HTML', async () => {
    backend.on('GET /api/v1/site/agreements/privacy_policy/', {
      status: 200,
      data: {
        kind: 'privacy_policy',
        title: '隐私政策',
        company_name: '阳光物业',
        is_default: false,
        text: '# 阳光物业 隐私政策\n\n<img src=x onerror=alert(1)> 我们重视\n- <b>加密</b>',
      },
    })
    const html = await open({ kind: 'privacy_policy' })
    expect(backend.called()).toEqual(['GET /api/v1/site/agreements/privacy_policy/'])
    expect(one(html, 'agreement-page').attr('data-kind')).toBe('privacy_policy')
    const body = one(html, 'agreement-text')
    expect(body.html).not.toContain('<img')
    expect(body.html).not.toContain('<b>')
    expect(body.html).toContain('&lt;img src=x onerror=alert(1)&gt; 我们重视')
    expect(body.text).toContain('阳光物业 隐私政策')
    expect(platform.setNavigationBarTitle).toHaveBeenLastCalledWith('隐私政策')
  })

  it('an unknown kind opens the user agreement; a failure can be retried', async () => {
    backend.on('GET /api/v1/site/agreements/user_agreement/', { status: 500, data: null })
    const html = await open({ kind: '<script>' })
    expect(backend.called()).toEqual(['GET /api/v1/site/agreements/user_agreement/'])
    expect(byTestId(html, 'agreement-error')).toHaveLength(1)
    expect(byTestId(html, 'agreement-retry')).toHaveLength(1)
  })
})
