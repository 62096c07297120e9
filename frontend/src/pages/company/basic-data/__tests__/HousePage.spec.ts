import { describe, expect, it } from 'vitest'

import { jsonResponse } from '@/test/http'
import HousePage from '@/pages/company/basic-data/HousePage.vue'

import {
  $,
  $$,
  ADMIN,
  bodyOf,
  calls,
  click,
  fakeApi,
  fieldError,
  HOUSE,
  mountPage,
  page,
  queryOf,
  settle,
  TREE,
  type,
  VIEW,
} from './helpers'

const RESIDENTS = [
  {
    id: 501,
    person: 41,
    person_name: '王芳',
    phone_masked: '138****5678',
    relation: 'owner',
    share: '50.00',
    is_primary_payer: true,
    moved_in: '2020-05-01',
    moved_out: null,
  },
  {
    id: 502,
    person: 42,
    person_name: '李强',
    phone_masked: '139****1234',
    relation: 'owner',
    share: '50.00',
    is_primary_payer: false,
    moved_in: '2020-05-01',
    moved_out: null,
  },
  {
    id: 400,
    person: 30,
    person_name: '赵敏',
    phone_masked: '137****0000',
    relation: 'renter',
    share: null,
    is_primary_payer: false,
    moved_in: '2018-01-01',
    moved_out: '2019-12-31',
  },
]

function backend(over: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/houses/101/': () => jsonResponse({ ...HOUSE, residents: RESIDENTS }),
    'GET /api/v1/estates/tree/': () => jsonResponse(TREE),
    ...over,
  })
}

describe('HousePage', () => {
  it("shows the house's facts, binding code, current residents and history", async () => {
    backend()
    await mountPage(HousePage, { path: '/basic-data/houses/101' })

    expect($('house-title')?.textContent).toContain('阳光花园 1栋1单元101')
    expect($('house-status')?.textContent).toContain('已入住')
    expect($('house-fact-building-area')?.textContent).toBe('89.50')
    expect($('house-fact-use')?.textContent).toBe('住宅')
    expect($('house-binding-code')?.textContent).toBe('K7MX2Q9P')

    const current = $('house-residents-current')!
    expect(current.querySelector('[data-testid="occupant-501"]')?.textContent).toBe('王芳')
    expect(current.querySelector('[data-testid="occupant-primary-badge-501"]')).not.toBeNull()
    expect(current.textContent).toContain('138****5678')
    expect(current.textContent).toContain('50.00%')
    expect(current.querySelector('[data-testid="occupant-400"]')).toBeNull()
    const history = $('house-residents-history')!
    expect(history.querySelector('[data-testid="occupant-400"]')?.textContent).toBe('赵敏')
    expect(history.textContent).toContain('2019-12-31')

    for (const section of ['vehicles', 'bills', 'repairs']) {
      expect($(`house-section-${section}`)?.textContent).toContain('即将上线')
    }
    // Only a primary payer candidate gets the button.
    expect($('occupant-primary-501')).toBeNull()
    expect($('occupant-primary-502')).not.toBeNull()
  })

  it('sets the primary payer after confirmation and moves a resident out', async () => {
    const all = backend({
      'PATCH /api/v1/occupancies/502/': () => jsonResponse({}),
      'POST /api/v1/occupancies/502/move-out/': () => jsonResponse({}),
    })
    await mountPage(HousePage, { path: '/basic-data/houses/101' })

    await click('occupant-primary-502')
    await click('occupant-primary-502-confirm')
    expect(bodyOf(calls(all, 'PATCH', '/api/v1/occupancies/502/')[0])).toEqual({
      is_primary_payer: true,
    })
    expect(calls(all, 'GET', '/api/v1/houses/101/')).toHaveLength(2)

    await click('occupant-move-out-502')
    expect($('move-out-dialog')?.textContent).toContain('李强')
    const date = $('move-out-date')?.querySelector('input') as HTMLInputElement
    expect(date.value).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await click('move-out-dialog-submit')
    await settle()
    const moveOut = calls(all, 'POST', '/api/v1/occupancies/502/move-out/')
    expect(moveOut).toHaveLength(1)
    expect(bodyOf(moveOut[0])).toEqual({ moved_out: date.value })
  })

  it('adds a new person as a resident, and reuses them when the occupancy is retried', async () => {
    let occupancyTries = 0
    const all = backend({
      'POST /api/v1/residents/': () => jsonResponse({ id: 77, name: '陈静' }, 201),
      'POST /api/v1/occupancies/': () =>
        ++occupancyTries === 1
          ? jsonResponse(
              {
                code: 'validation_error',
                message: '输入有误',
                fields: { share: ['该房屋业主的产权份额合计不能超过 100%。'] },
              },
              400,
            )
          : jsonResponse({ id: 503 }, 201),
    })
    await mountPage(HousePage, { path: '/basic-data/houses/101' })
    await click('house-add-resident')
    await click('add-resident-mode-new')
    await type('person-name', '陈静')
    await type('person-phone', '1381234')
    await type('person-id-number', '110105194912310021')
    await click('add-resident-dialog-submit')
    await settle()
    expect(fieldError('person-phone')).toBe('请输入有效的中国大陆手机号')
    expect(fieldError('person-id-number')).toBe('身份证号校验位不正确，请核对')
    expect(calls(all, 'POST', '/api/v1/residents/')).toHaveLength(0)

    await type('person-phone', '13812345678')
    await type('person-id-number', '11010519491231002x')
    await type('add-resident-share', '60')
    await click('add-resident-dialog-submit')
    await settle()
    expect(bodyOf(calls(all, 'POST', '/api/v1/residents/')[0])).toEqual({
      name: '陈静',
      gender: '',
      phone: '13812345678',
      id_number: '11010519491231002X',
      note: '',
    })
    expect(fieldError('add-resident-share')).toBe('该房屋业主的产权份额合计不能超过 100%。')

    await type('add-resident-share', '50')
    await click('add-resident-dialog-submit')
    await settle()
    expect(calls(all, 'POST', '/api/v1/residents/')).toHaveLength(1)
    const occupancies = calls(all, 'POST', '/api/v1/occupancies/')
    expect(occupancies).toHaveLength(2)
    expect(bodyOf(occupancies[1])).toMatchObject({
      house: 101,
      person: 77,
      relation: 'owner',
      share: '50',
      is_primary_payer: false,
    })
    expect(calls(all, 'GET', '/api/v1/houses/101/')).toHaveLength(2)
  })

  describe("changing an owner's share", () => {
    // Two current owners (60 % + 30 %), a current family member, and a former owner whose
    // share no longer counts.
    const OWNERS = [
      { ...RESIDENTS[0], share: '60.00' },
      { ...RESIDENTS[1], share: '30.00' },
      {
        ...RESIDENTS[1],
        id: 503,
        person: 43,
        person_name: '李小强',
        relation: 'family',
        share: null,
      },
      { ...RESIDENTS[2], id: 399, person: 29, relation: 'owner', share: '40.00' },
    ]
    const withOwners = (over: Parameters<typeof fakeApi>[0] = {}) =>
      backend({
        'GET /api/v1/houses/101/': () => jsonResponse({ ...HOUSE, residents: OWNERS }),
        ...over,
      })

    it('is offered on current owners only, and only to managers', async () => {
      withOwners()
      await mountPage(HousePage, { path: '/basic-data/houses/101' })
      expect($('occupant-share-501')).not.toBeNull()
      expect($('occupant-share-502')).not.toBeNull()
      expect($('occupant-share-503')).toBeNull()
      expect($('occupant-share-399')).toBeNull()
    })

    it('is hidden from a viewer', async () => {
      withOwners()
      await mountPage(HousePage, { path: '/basic-data/houses/101', permissions: VIEW })
      expect($('occupant-501')).not.toBeNull()
      expect($$('[data-testid^="occupant-share-"]')).toHaveLength(0)
    })

    it("shows what the other owners hold, and puts the server's error under the field", async () => {
      let tries = 0
      const all = withOwners({
        'PATCH /api/v1/occupancies/502/': () =>
          ++tries === 1
            ? jsonResponse(
                {
                  code: 'validation_error',
                  message: '输入有误',
                  fields: { share: ['该房屋业主的产权份额合计不能超过 100%。'] },
                },
                400,
              )
            : jsonResponse({ ...OWNERS[1], share: '35.50' }),
      })
      await mountPage(HousePage, { path: '/basic-data/houses/101' })

      await click('occupant-share-502')
      expect($('share-dialog')?.textContent).toContain('李强')
      expect(($('share-input') as HTMLInputElement).value).toBe('30.00')
      expect($('share-remaining')?.textContent?.trim()).toBe('其他业主合计 60%，最多可填 40%')

      // Beyond what is left: caught before a round trip.
      await type('share-input', '50')
      await click('share-dialog-submit')
      await settle()
      expect(fieldError('share-input')).toBe('业主份额合计不能超过 100%，最多可填 40%')
      expect(calls(all, 'PATCH', '/api/v1/occupancies/502/')).toHaveLength(0)

      // The list may be stale: the server's total check still decides.
      await type('share-input', '40')
      await click('share-dialog-submit')
      await settle()
      expect(fieldError('share-input')).toBe('该房屋业主的产权份额合计不能超过 100%。')
      expect($('share-dialog-error')).toBeNull()
      expect(calls(all, 'GET', '/api/v1/houses/101/')).toHaveLength(1)

      await type('share-input', '35.5')
      await click('share-dialog-submit')
      await settle()
      const patches = calls(all, 'PATCH', '/api/v1/occupancies/502/')
      expect(patches).toHaveLength(2)
      expect(bodyOf(patches[1])).toEqual({ share: '35.5' })
      expect(calls(all, 'GET', '/api/v1/houses/101/')).toHaveLength(2)
    })

    it('clears the share when the field is left empty', async () => {
      const all = withOwners({
        'PATCH /api/v1/occupancies/501/': () => jsonResponse({ ...OWNERS[0], share: null }),
      })
      await mountPage(HousePage, { path: '/basic-data/houses/101' })

      await click('occupant-share-501')
      expect($('share-remaining')?.textContent?.trim()).toBe('其他业主合计 30%，最多可填 70%')
      await type('share-input', '')
      await click('share-dialog-submit')
      await settle()
      expect(bodyOf(calls(all, 'PATCH', '/api/v1/occupancies/501/')[0])).toEqual({ share: null })
      expect(calls(all, 'GET', '/api/v1/houses/101/')).toHaveLength(2)
    })
  })

  it('reveals a phone only for those allowed to', async () => {
    const all = backend({
      'POST /api/v1/residents/41/reveal/': () => jsonResponse({ value: '13812345678' }),
    })
    await mountPage(HousePage, { path: '/basic-data/houses/101', permissions: ADMIN })
    await click('reveal-phone-41')
    expect(bodyOf(calls(all, 'POST', '/api/v1/residents/41/reveal/')[0])).toEqual({
      field: 'phone',
    })
    expect($('pii-phone-41')?.textContent).toBe('13812345678')
    expect($('reveal-phone-41')).toBeNull()
  })

  it("lists the house's charges, latest period first, for those who may read the ledger", async () => {
    const charge = (id: number, start: string, end: string, paid: string, status: string) => ({
      id,
      house: 101,
      house_label: '1栋1单元101',
      estate: 1,
      estate_name: '阳光花园',
      building: 3,
      fee_item: 7,
      fee_item_name: '物业费',
      kind: 'regular',
      period_start: start,
      period_end: end,
      amount: '179.00',
      adjusted: '0.00',
      net: '179.00',
      paid,
      outstanding: paid === '179.00' ? '0.00' : '179.00',
      status,
      issued_on: start,
      due_date: end,
      explanation: '',
      reason: '历史数据导入',
      principal: null,
      bill_run: null,
      created_at: '2026-03-01T02:00:00Z',
    })
    const all = backend({
      'GET /api/v1/charges/': () =>
        page([
          charge(2, '2026-02-01', '2026-03-01', '179.00', 'paid'),
          charge(1, '2025-07-01', '2025-08-01', '0.00', 'overdue'),
        ]),
    })
    await mountPage(HousePage, {
      path: '/basic-data/houses/101',
      permissions: [...ADMIN, 'fees.view'],
      modules: ['basic_data', 'fees'],
    })
    const [listed] = calls(all, 'GET', '/api/v1/charges/')
    expect(queryOf(listed!)).toMatchObject({ house: '101', ordering: '-period_start' })
    const rows = $$('[data-testid="house-charges"] tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.textContent).toContain('2026-02-01 ~ 2026-02-28')
    expect($('house-charge-status-2')?.textContent).toContain('已缴清')
    expect(rows[1]!.textContent).toContain('历史数据导入')
    expect($('house-charge-status-1')?.textContent).toContain('已逾期')
    expect($('house-section-bills')).toBeNull() // the charges stand where the card was
  })

  it('keeps the bills card for those who may not read the ledger', async () => {
    const all = backend()
    await mountPage(HousePage, { path: '/basic-data/houses/101' })
    expect($('house-charges')).toBeNull()
    expect($('house-section-bills')).not.toBeNull()
    expect(calls(all, 'GET', '/api/v1/charges/')).toHaveLength(0)
  })

  it('is read-only for a viewer', async () => {
    backend()
    await mountPage(HousePage, { path: '/basic-data/houses/101', permissions: VIEW })
    expect($('house-add-resident')).toBeNull()
    expect($('house-edit')).toBeNull()
    expect($$('[data-testid^="occupant-move-out-"]')).toHaveLength(0)
    expect($$('[data-testid^="reveal-"]')).toHaveLength(0)
  })

  it('says so when the house does not exist', async () => {
    fakeApi({
      'GET /api/v1/houses/101/': () =>
        jsonResponse({ code: 'not_found', message: '', fields: {} }, 404),
    })
    await mountPage(HousePage, { path: '/basic-data/houses/101' })
    expect($('house-error')?.textContent).toContain('房屋不存在或已被删除')
  })
})
