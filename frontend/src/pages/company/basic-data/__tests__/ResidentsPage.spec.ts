import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import { jsonResponse } from '@/test/http'
import ResidentsPage from '@/pages/company/basic-data/ResidentsPage.vue'

import {
  $,
  $$,
  ADMIN,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  MANAGE,
  mountPage,
  page,
  queryOf,
  settle,
  TREE,
  type,
} from './helpers'

const WANG = {
  id: 41,
  name: '王芳',
  gender: 'female',
  phone_masked: '138****5678',
  id_number_masked: '110105********002X',
  emergency_contact_masked: '王* 139****1111',
  note: '',
  has_account: true,
  account: { id: 9, is_active: true },
  houses: [
    {
      occupancy_id: 501,
      house: 101,
      label: '1栋1单元101',
      estate_name: '阳光花园',
      relation: 'owner',
      is_primary_payer: true,
    },
  ],
}

function backend(over: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/residents/': () => page([WANG]),
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    ...over,
  })
}

const lists = (all: ReturnType<typeof backend>) =>
  calls(all, 'GET', '/api/v1/residents/').map(queryOf)

describe('ResidentsPage', () => {
  it('names a document other than an ID card, and registers one with its type', async () => {
    const all = backend({
      'GET /api/v1/residents/': () =>
        page([
          WANG,
          {
            ...WANG,
            id: 42,
            name: 'John Smith',
            id_type: 'passport',
            id_number_masked: '*********',
          },
        ]),
      'POST /api/v1/residents/': () => jsonResponse({ ...WANG, id: 43 }, 201),
    })
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    expect($('resident-id-type-42')?.textContent).toBe('护照')
    expect($('resident-id-type-41')).toBeNull() // an ID card needs no tag
    await click('resident-create')
    await type('person-name', '张伟')
    await type('person-phone', '010-12345678') // a landline with its area code
    await type('person-id-number', '110105491231002') // a first-generation (15-digit) ID
    await click('person-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/residents/')[0])).toMatchObject({
      name: '张伟',
      phone: '010-12345678',
      id_number: '110105491231002',
    })
  })

  it('lists residents with masked phone and ID, and their houses', async () => {
    backend()
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    expect($('resident-row-41')?.textContent).toBe('王芳')
    expect($('pii-phone-41')?.textContent).toBe('138****5678')
    expect($('pii-id-number-41')?.textContent).toBe('110105********002X')
    const row = $('resident-row-41')!.closest('tr')!
    expect(row.textContent).toContain('阳光花园 1栋1单元101 · 业主 · 主')
    expect(row.textContent).toContain('已绑定')
  })

  it('hides "显示完整" from users without pii.reveal', async () => {
    backend()
    await mountPage(ResidentsPage, { path: '/basic-data/residents', permissions: MANAGE })
    expect($('pii-phone-41')).not.toBeNull()
    expect($$('[data-testid^="reveal-"]')).toHaveLength(0)
  })

  it('reveals a value on request, for this page only', async () => {
    const all = backend({
      'POST /api/v1/residents/41/reveal/': (call) =>
        jsonResponse({
          value: bodyOf(call).field === 'phone' ? '13812345678' : '11010519491231002X',
        }),
    })
    const { wrapper } = await mountPage(ResidentsPage, {
      path: '/basic-data/residents',
      permissions: ADMIN,
    })
    await click('reveal-id-number-41')
    expect(bodyOf(calls(all, 'POST', '/api/v1/residents/41/reveal/')[0])).toEqual({
      field: 'id_number',
    })
    expect($('pii-id-number-41')?.textContent).toBe('11010519491231002X')
    expect($('pii-phone-41')?.textContent).toBe('138****5678')
    expect($('reveal-phone-41')).not.toBeNull()

    // Nothing is kept beyond the page: a new visit shows the masked value again.
    wrapper.unmount()
    backend()
    await mountPage(ResidentsPage, { path: '/basic-data/residents', permissions: ADMIN })
    expect($('pii-id-number-41')?.textContent).toBe('110105********002X')
  })

  it('searches by exact phone only once the number is whole', async () => {
    const all = backend()
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    await type('residents-filter-phone', '138123')
    expect($('residents-filter-phone-hint')).not.toBeNull()
    expect(lists(all)).toHaveLength(1)

    await type('residents-filter-phone', '13812345678')
    expect(lists(all).at(-1)).toEqual({ phone: '13812345678', page: '1', page_size: '20' })
    expect($('residents-filter-phone-hint')).toBeNull()
  })

  it('validates phone and ID number before saving, then creates the resident', async () => {
    const all = backend({
      'POST /api/v1/residents/': () => jsonResponse({ ...WANG, id: 42, name: '李强' }, 201),
    })
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    await click('resident-create')
    await type('person-name', '李强')
    await type('person-phone', '12812345678')
    await type('person-id-number', '110105190002300011')
    await click('person-dialog-submit')
    await settle()
    expect(fieldError('person-phone')).toBe('请输入有效的中国大陆手机号')
    expect(fieldError('person-id-number')).toBe('身份证号中的出生日期无效')
    expect(calls(all, 'POST', '/api/v1/residents/')).toHaveLength(0)

    await type('person-phone', '13912341234')
    await type('person-id-number', '110101199003070011')
    await click('person-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/residents/')[0])).toMatchObject({
      name: '李强',
      phone: '13912341234',
      id_number: '110101199003070011',
    })
    expect(lists(all)).toHaveLength(2)
  })

  it('edits without resending the phone and ID it only knows masked', async () => {
    const all = backend({
      'PATCH /api/v1/residents/41/': () => jsonResponse({ ...WANG, note: '新备注' }),
    })
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    await click('resident-edit-41')
    expect(($('person-phone') as HTMLInputElement).placeholder).toContain('138****5678')
    expect(($('person-emergency-contact') as HTMLInputElement).value).toBe('')
    expect(($('person-emergency-contact') as HTMLInputElement).placeholder).toContain(
      '王* 139****1111',
    )
    await type('person-note', '新备注')
    await click('person-dialog-submit')
    await settle()
    const body = bodyOf(calls(all, 'PATCH', '/api/v1/residents/41/')[0])
    expect(body).toEqual({
      name: '王芳',
      gender: 'female',
      note: '新备注',
    })
  })

  it('shows the server phone error under the phone field', async () => {
    backend({
      'POST /api/v1/residents/': () =>
        jsonResponse(
          {
            code: 'validation_error',
            message: '',
            fields: { phone: ['该手机号已登记为其他住户。'] },
          },
          400,
        ),
    })
    await mountPage(ResidentsPage, { path: '/basic-data/residents' })
    await click('resident-create')
    await type('person-name', '李强')
    await type('person-phone', '13912341234')
    await click('person-dialog-submit')
    await settle()
    expect(fieldError('person-phone')).toBe('该手机号已登记为其他住户。')
    await flushPromises()
  })

  it("lets owners.manage disable and re-enable a resident's app account", async () => {
    let active = true
    const all = backend({
      'GET /api/v1/residents/': () => page([{ ...WANG, account: { id: 9, is_active: active } }]),
      'POST /api/v1/owner-accounts/9/disable/': () => {
        active = false
        return jsonResponse({ id: 9, is_active: false })
      },
      'POST /api/v1/owner-accounts/9/enable/': () => {
        active = true
        return jsonResponse({ id: 9, is_active: true })
      },
    })
    await mountPage(ResidentsPage, {
      path: '/basic-data/residents',
      permissions: [...MANAGE, 'owners.manage'],
    })
    await click('resident-account-disable-41')
    expect(calls(all, 'POST', '/api/v1/owner-accounts/9/disable/')).toHaveLength(0)
    await click('resident-account-disable-41-confirm')
    await settle()
    expect(calls(all, 'POST', '/api/v1/owner-accounts/9/disable/')).toHaveLength(1)
    expect(lists(all)).toHaveLength(2)
    expect($('resident-account-disabled-41')?.textContent?.trim()).toBe('已停用')

    await click('resident-account-enable-41')
    await click('resident-account-enable-41-confirm')
    await settle()
    expect(calls(all, 'POST', '/api/v1/owner-accounts/9/enable/')).toHaveLength(1)
    expect($('resident-account-disabled-41')).toBeNull()
  })

  it('shows no account control without owners.manage', async () => {
    backend()
    await mountPage(ResidentsPage, { path: '/basic-data/residents', permissions: MANAGE })
    expect($('resident-edit-41')).not.toBeNull()
    expect($('resident-account-disable-41')).toBeNull()
  })
})
