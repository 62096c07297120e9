/**
 * The owner screens rendered to HTML (Vue's server renderer) over a scripted backend: what an
 * owner sees in each state, with the data-testid hooks the browser tests use.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { byTestId, one, render, settle } from './support/render'
import { backend, BRAND_COLOR, owner, resetSession, state, switchLocale } from './support/fake-session'
import { setLocale } from '@/i18n'
import { binding, correction, HOUSES, NO_PROFILE, profile } from './support/fake-api'
import type { createContactForm, createCorrectionForm } from '@/stores/owner'

const hooks = vi.hoisted(() => ({ onShow: [] as Array<() => unknown> }))
const forms = vi.hoisted(() => ({
  contact: null as unknown,
  correction: null as unknown,
}))

vi.mock('@dcloudio/uni-app', () => ({
  onShow: (fn: () => unknown) => hooks.onShow.push(fn),
  onLoad: () => undefined,
}))
vi.mock('@/platform', () => ({
  platform: { navigateTo: vi.fn(), reLaunch: vi.fn(), toast: vi.fn(), confirm: vi.fn(async () => true) },
}))
vi.mock('@/stores/session', () => import('./support/fake-session'))
// A test may hand the page a form it has already driven (SSR cannot click); otherwise the real one.
vi.mock('@/stores/owner', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/stores/owner')>()
  return {
    ...actual,
    createContactForm: (s: Parameters<typeof actual.createContactForm>[0]) =>
      (forms.contact as ReturnType<typeof actual.createContactForm> | null) ?? actual.createContactForm(s),
    createCorrectionForm: (s: Parameters<typeof actual.createCorrectionForm>[0]) =>
      (forms.correction as ReturnType<typeof actual.createCorrectionForm> | null) ?? actual.createCorrectionForm(s),
  }
})

const MyHouses = (await import('@/pages/my-houses/my-houses.vue')).default
const MyInfo = (await import('@/pages/my-info/my-info.vue')).default
const Home = (await import('@/pages/index/index.vue')).default
const Profile = (await import('@/pages/profile/profile.vue')).default
const Bind = (await import('@/pages/bind/bind.vue')).default
const { createContactForm: realContactForm, createCorrectionForm: realCorrectionForm } = await vi.importActual<
  typeof import('@/stores/owner')
>('@/stores/owner')

/** Render, run the page's onShow (as uni does when it appears), let the loads finish, render again. */
async function show(page: Parameters<typeof render>[0]): Promise<string> {
  hooks.onShow.length = 0
  await render(page)
  await Promise.all(hooks.onShow.map((fn) => fn()))
  await settle()
  return render(page)
}

beforeEach(() => {
  resetSession()
  forms.contact = null
  forms.correction = null
})

describe('my houses page', () => {
  it('lists the current houses with relation, primary payer, area, layout and move-in date', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [] })
    const html = await show(MyHouses)

    expect(backend.called().sort()).toEqual(['GET /api/v1/owner/bindings/', 'GET /api/v1/owner/houses/'])
    expect(one(html, 'my-houses-list').attr('data-count')).toBe('2')
    const cards = byTestId(html, 'my-house')
    expect(cards.map((c) => c.attr('data-occupancy-id'))).toEqual(['11', '12'])
    expect(byTestId(html, 'my-house-label').map((l) => l.text)).toEqual(['1栋1单元101', '3栋2单元1101'])
    expect(byTestId(html, 'my-house-estate')[0].text).toBe('翠湖花园')
    expect(byTestId(html, 'my-house-relation').map((r) => r.text)).toEqual(['家庭成员', '业主'])
    // only the house the owner pays for carries the badge
    expect(byTestId(cards[0].html, 'my-house-primary-payer')).toHaveLength(0)
    expect(one(cards[1].html, 'my-house-primary-payer').text).toBe('主缴费人')
    expect(byTestId(html, 'my-house-area').map((a) => a.text)).toEqual(['89.50㎡', '128.00㎡'])
    expect(byTestId(html, 'my-house-layout').map((a) => a.text)).toEqual(['2室1厅', '3室2厅'])
    expect(byTestId(html, 'my-house-moved-in').map((a) => a.text)).toEqual(['2023-09-01', '2024-05-01'])
    expect(byTestId(html, 'my-houses-empty')).toHaveLength(0)
    expect(byTestId(html, 'my-houses-requests')).toHaveLength(0)
    // the company's colour, not the default blue
    expect(one(html, 'my-houses-bind').tag).toContain(`background-color:${BRAND_COLOR}`)
    expect(one(html, 'my-houses-bind').text).toBe('绑定新房屋')
  })

  it('shows pending and rejected requests below the houses, with the reason', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: [HOUSES[1]] })
    backend.on('GET /api/v1/owner/bindings/', {
      status: 200,
      data: [
        binding({ id: 1, status: 'pending', created_at: '2026-05-03T02:00:00Z' }),
        binding({ id: 2, status: 'rejected', reason: '房号与产权信息不符', created_at: '2026-05-02T02:00:00Z' }),
        binding({ id: 3, status: 'approved', house: { id: 202, label: '3栋2单元1101', estate_name: '翠湖花园' } }),
      ],
    })
    const html = await show(MyHouses)
    const requests = byTestId(one(html, 'my-houses-requests').html, 'my-house-request')
    expect(requests.map((r) => [r.attr('data-binding-id'), r.attr('data-status')])).toEqual([
      ['1', 'pending'],
      ['2', 'rejected'],
    ])
    expect(one(requests[0].html, 'my-house-request-status').text).toBe('待物业审核')
    expect(requests[0].text).toContain('2026-05-03 提交')
    expect(byTestId(requests[0].html, 'my-house-request-reason')).toHaveLength(0)
    expect(one(requests[1].html, 'my-house-request-status').text).toBe('未通过')
    expect(one(requests[1].html, 'my-house-request-reason').text).toBe('驳回原因：房号与产权信息不符')
    // the requests come after the houses
    expect(html.indexOf('data-testid="my-houses-list"')).toBeLessThan(html.indexOf('data-testid="my-houses-requests"'))
  })

  it('explains how to bind when there are no houses', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: [] })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [] })
    const html = await show(MyHouses)
    const empty = one(html, 'my-houses-empty')
    expect(one(empty.html, 'empty-state-title').text).toBe('还没有已绑定的房屋')
    expect(one(empty.html, 'empty-state-description').text).toContain('绑定新房屋')
    expect(one(empty.html, 'empty-state-description').text).toContain('房屋编码')
    expect(byTestId(html, 'my-house')).toHaveLength(0)
    expect(one(html, 'my-houses-bind').text).toBe('绑定新房屋')
  })

  it('says a pending request is on its way when there are no houses yet', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: [] })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [binding({ id: 1, status: 'pending' })] })
    const html = await show(MyHouses)
    expect(one(html, 'empty-state-description').text).toBe('您的绑定申请正在等待物业审核，审核通过后房屋会显示在这里。')
    expect(one(html, 'my-house-request').attr('data-status')).toBe('pending')
  })

  it('shows a load failure with a retry', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 502, data: '<html>' })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [] })
    const html = await show(MyHouses)
    expect(one(html, 'my-houses-error').text).toContain('服务器繁忙，请稍后再试')
    expect(byTestId(html, 'my-houses-retry')).toHaveLength(1)
  })
})

describe('my data page', () => {
  it('explains that data appears after a binding is approved (404 no_profile)', async () => {
    backend.on('GET /api/v1/owner/profile/', NO_PROFILE)
    const html = await show(MyInfo)
    expect(one(html, 'my-info-page').attr('data-status')).toBe('no_profile')
    const empty = one(html, 'my-info-no-profile')
    expect(one(empty.html, 'empty-state-title').text).toBe('暂无住户资料')
    expect(one(empty.html, 'empty-state-description').text).toContain('审核通过您的房屋绑定后')
    expect(one(html, 'my-info-go-houses').text).toBe('查看我的房屋')
    expect(byTestId(html, 'my-info-error')).toHaveLength(0)
    expect(byTestId(html, 'my-info-identity')).toHaveLength(0)
  })

  it('shows name, gender, masked phone and ID number, emergency contact', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    const html = await show(MyInfo)
    expect(one(html, 'my-info-name').text).toBe('林业主')
    expect(one(html, 'my-info-gender').text).toBe('女')
    expect(one(html, 'my-info-phone').text).toBe('138****3333')
    expect(one(html, 'my-info-id-number').text).toBe('110105********002X')
    expect(one(html, 'my-info-emergency-contact').text).toBe('王芳 13900001111')
    expect(one(html, 'my-info-edit-contact').text).toBe('修改')
    expect(one(html, 'my-info-request-correction').text).toBe('申请修改身份信息 ›')
    expect(byTestId(html, 'my-info-correction-pending')).toHaveLength(0)
    expect(byTestId(html, 'my-info-last-correction')).toHaveLength(0)
  })

  it('shows the contact form with the validation message next to the phone', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    await owner.loadProfile()
    const form = realContactForm(owner) as ReturnType<typeof createContactForm>
    form.start()
    form.phone = '1381234'
    expect(await form.submit()).toBe(false)
    forms.contact = form
    const html = await render(MyInfo)
    const contact = one(html, 'my-info-contact-form')
    expect(one(contact.html, 'my-info-phone-error').text).toBe('请输入11位有效手机号')
    expect(one(contact.html, 'my-info-phone-input').attr('value')).toBe('1381234')
    expect(one(contact.html, 'my-info-phone-input').attr('placeholder')).toBe('当前 138****3333，不修改请留空')
    expect(one(contact.html, 'my-info-emergency-input').attr('value')).toBe('王芳 13900001111')
    expect(one(contact.html, 'my-info-contact-save').text).toBe('保存')
    expect(byTestId(html, 'my-info-phone')).toHaveLength(0) // the form replaces the read-only rows
    expect(backend.called()).toEqual(['GET /api/v1/owner/profile/']) // nothing was sent
  })

  it('shows the request as 审核中 after submitting a correction', async () => {
    let submitted = false
    backend.on('GET /api/v1/owner/profile/', () => ({
      status: 200,
      data: profile(
        submitted
          ? { pending_correction: correction({ id: 7, name: '林叶竹', id_number_masked: '320102********1239' }) }
          : {
              last_correction: correction({
                id: 6,
                name: '林叶竹',
                status: 'rejected',
                reason: '证件照片不清晰',
                created_at: '2026-05-19T02:00:00Z',
                decided_at: '2026-05-20T02:00:00Z',
              }),
            },
      ),
    }))
    backend.on('POST /api/v1/owner/profile/corrections/', () => {
      submitted = true
      return { status: 201, data: { id: 7 } }
    })
    let html = await show(MyInfo)
    // before: the last decision, with its reason, and the way to ask again
    const last = one(html, 'my-info-last-correction')
    expect(last.attr('data-status')).toBe('rejected')
    expect(last.text).toContain('未通过')
    expect(one(last.html, 'my-info-last-correction-reason').text).toBe('原因：证件照片不清晰')
    expect(last.text).toContain('新姓名：林叶竹') // what was asked for
    expect(last.text).toContain('2026-05-20 处理')

    const form = realCorrectionForm(owner) as ReturnType<typeof createCorrectionForm>
    form.start()
    form.name = '林叶竹'
    form.idNumber = '320102198511111239'
    forms.correction = form
    html = await render(MyInfo)
    expect(byTestId(html, 'my-info-correction-form')).toHaveLength(1)
    expect(one(html, 'my-info-new-name').attr('value')).toBe('林叶竹')

    expect(await form.submit(new Date('2026-06-01T04:00:00Z'))).toBe(true)
    expect(backend.calls.find((c) => c.method === 'POST')?.data).toEqual({ name: '林叶竹', id_number: '320102198511111239' })
    html = await render(MyInfo)
    const pending = one(html, 'my-info-correction-pending')
    expect(one(pending.html, 'my-info-correction-status').text).toBe('审核中')
    expect(one(pending.html, 'my-info-pending-name').text).toBe('新姓名：林叶竹')
    expect(one(pending.html, 'my-info-pending-id-number').text).toBe('新身份证号：320102********1239')
    expect(pending.text).toContain('2026-06-01 提交')
    expect(byTestId(html, 'my-info-correction-form')).toHaveLength(0)
    expect(byTestId(html, 'my-info-request-correction')).toHaveLength(0) // one request at a time
    expect(byTestId(html, 'my-info-last-correction')).toHaveLength(0)
    // identity fields themselves are unchanged until staff approve
    expect(one(html, 'my-info-name').text).toBe('林业主')
  })

  it('shows the ID-number checksum message in the correction form', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    await owner.loadProfile()
    const form = realCorrectionForm(owner) as ReturnType<typeof createCorrectionForm>
    form.start()
    form.idNumber = '110105194912310021'
    expect(await form.submit(new Date('2026-06-01T04:00:00Z'))).toBe(false)
    forms.correction = form
    const html = await render(MyInfo)
    expect(one(html, 'my-info-new-id-number-error').text).toBe('身份证号校验位不正确，请核对')
    expect(backend.calls.some((c) => c.method === 'POST')).toBe(false)
  })
})

describe('home and 我的 link to the owner screens', () => {
  it('home shows the featured house and the count once a binding is approved', async () => {
    backend.on('GET /api/v1/owner/bindings/', {
      status: 200,
      data: [binding({ id: 3, status: 'approved', house: { id: 202, label: '3栋2单元1101', estate_name: '翠湖花园' } })],
    })
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
    const html = await show(Home)
    const card = one(html, 'home-houses')
    expect(card.attr('data-count')).toBe('2')
    expect(one(card.html, 'home-houses-more').text).toBe('共2套 ›')
    const current = one(card.html, 'home-houses-current')
    expect(current.attr('data-occupancy-id')).toBe('12') // the primary payer's house
    expect(current.text).toContain('翠湖花园 3栋2单元1101')
    expect(current.text).toContain('业主 · 128.00㎡ · 3室2厅')
    expect(one(html, 'home-house').text).toBe('翠湖花园 3栋2单元1101')
  })

  it('home does not ask for houses while the binding is pending', async () => {
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [binding({ id: 1, status: 'pending' })] })
    const html = await show(Home)
    expect(backend.called()).toEqual(['GET /api/v1/owner/bindings/'])
    expect(byTestId(html, 'home-houses')).toHaveLength(0)
    expect(byTestId(html, 'home-pending-banner')).toHaveLength(1)
  })

  it('我的 has entries for my houses and my data', async () => {
    backend.on('GET /api/v1/me/', { status: 200, data: { id: 1, name: '林业主', phone_masked: '138****3333', roles: [] } })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [] })
    const html = await show(Profile)
    expect(one(html, 'profile-entry-houses').text).toBe('我的房屋›')
    expect(one(html, 'profile-entry-info').text).toBe('我的资料›')
    expect(one(html, 'profile-entry-service-orders').text).toBe('我的服务订单›')
    expect(one(html, 'profile-entry-user-agreement').text).toBe('用户协议›')
    expect(one(html, 'profile-entry-privacy-policy').text).toBe('隐私政策›')
    expect(state.bindings).toEqual([])
  })

  it('我的 switches the language between 中文 and English', async () => {
    backend.on('GET /api/v1/me/', { status: 200, data: { id: 1, name: '林业主', phone_masked: '138****3333', roles: [] } })
    backend.on('GET /api/v1/owner/bindings/', { status: 200, data: [] })
    try {
      let html = await show(Profile)
      expect(one(html, 'profile-language-zh-CN').attr('data-active')).toBe('true')
      expect(one(html, 'profile-language-en').attr('data-active')).toBe('false')
      expect(one(html, 'profile-language-en').text).toBe('English')
      switchLocale('en', true)
      html = await render(Profile)
      expect(one(html, 'profile-language-en').attr('data-active')).toBe('true')
      expect(one(html, 'profile-entry-houses').text).toBe('My homes›')
      expect(one(html, 'profile-logout').text).toBe('Sign out')
      expect(one(html, 'profile-language-zh-CN').text).toBe('中文')
    } finally {
      setLocale('zh-CN')
    }
  })
})

describe('bind page', () => {
  it('tells an owner on record that they are verified at once, by record or by house code', async () => {
    const html = await render(Bind)
    const hint = one(html, 'bind-verify-hint').text
    expect(hint).toContain('手机号已登记为该房屋的业主')
    expect(hint).toContain('立即认证')
    const { t, setLocale } = await import('@/i18n')
    expect(t('bind.codeVerifyHint')).toContain('房屋编码')
    expect(t('bind.codeVerifyHint')).toContain('立即认证')
    setLocale('en')
    try {
      expect(t('bind.recordVerifyHint')).toContain('verified at once')
      expect(t('bind.codeVerifyHint')).toContain('house code')
    } finally {
      setLocale('zh-CN')
    }
  })
})
