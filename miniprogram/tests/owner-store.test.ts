import { beforeEach, describe, expect, it } from 'vitest'
import {
  areaText,
  createContactForm,
  createCorrectionForm,
  createOwnerStore,
  featuredHouse,
  openBindingRequests,
  validateContact,
  validateCorrection,
} from '@/stores/owner'
import { binding, correction, createFakeBackend, HOUSES, NO_PROFILE, profile } from './support/fake-api'

const backend = createFakeBackend()
const NOW = new Date('2026-06-01T04:00:00Z')

beforeEach(() => backend.reset())

describe('owner store: my houses', () => {
  it('loads the current houses', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
    const owner = createOwnerStore(backend.api)
    expect(owner.state.housesStatus).toBe('idle')
    const loading = owner.loadHouses()
    expect(owner.state.housesStatus).toBe('loading')
    await loading
    expect(owner.state.housesStatus).toBe('ready')
    expect(owner.state.houses?.map((h) => h.label)).toEqual(['1栋1单元101', '3栋2单元1101'])
    expect(backend.called()).toEqual(['GET /api/v1/owner/houses/'])
  })

  it('shows a first failure, but keeps houses already shown when a refresh fails', async () => {
    const owner = createOwnerStore(backend.api)
    backend.on('GET /api/v1/owner/houses/', { status: 500, data: null })
    await owner.loadHouses()
    expect(owner.state.housesStatus).toBe('error')
    expect(owner.state.housesError).toBe('服务器繁忙，请稍后再试')
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: HOUSES })
    await owner.loadHouses()
    backend.on('GET /api/v1/owner/houses/', { status: 503, data: null })
    await owner.loadHouses()
    expect(owner.state.housesStatus).toBe('ready')
    expect(owner.state.houses).toHaveLength(2)
  })

  it('drops answers that arrive after a logout (no data leaks to the next account)', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const owner = createOwnerStore({
      ...backend.api,
      ownerHouses: async () => {
        await gate
        return HOUSES
      },
    })
    const pending = owner.loadHouses()
    owner.reset()
    release()
    await pending
    expect(owner.state.houses).toBeNull()
    expect(owner.state.housesStatus).toBe('idle')
  })

  it('features the primary payer house and formats areas', () => {
    expect(featuredHouse(HOUSES)?.occupancy_id).toBe(12)
    expect(featuredHouse([HOUSES[0]])?.occupancy_id).toBe(11)
    expect(featuredHouse([])).toBeNull()
    expect(areaText('89.50')).toBe('89.50㎡')
    expect(areaText(null)).toBe('')
  })

  it('lists pending requests and only the latest rejection of a house not since bound', () => {
    const list = [
      binding({ id: 1, status: 'pending', created_at: '2026-05-03T00:00:00Z' }),
      binding({ id: 2, status: 'rejected', reason: '房号不符', created_at: '2026-05-02T00:00:00Z' }),
      binding({ id: 3, status: 'approved', house: { id: 202, label: '3栋2单元1101', estate_name: '翠湖花园' } }),
      // rejected, then asked again (now pending): the old rejection is history
      binding({ id: 4, status: 'rejected', reason: '姓名不符', house: { id: 999, label: 'x', estate_name: 'y' }, created_at: '2026-04-01T00:00:00Z' }),
      binding({ id: 5, status: 'pending', house: { id: 999, label: 'x', estate_name: 'y' }, created_at: '2026-04-02T00:00:00Z' }),
      // rejected, but the house is one of mine by now (staff added the occupancy)
      binding({ id: 6, status: 'rejected', reason: '重复', house: { id: 101, label: '1栋1单元101', estate_name: '翠湖花园' } }),
    ]
    expect(openBindingRequests(list, HOUSES).map((b) => b.id)).toEqual([1, 2, 5])
  })
})

describe('owner store: my data', () => {
  it('loads the profile', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    expect(owner.state.profileStatus).toBe('ready')
    expect(owner.state.profile?.name).toBe('林业主')
  })

  it('turns 404 no_profile into its own state, not an error', async () => {
    backend.on('GET /api/v1/owner/profile/', NO_PROFILE)
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    expect(owner.state.profileStatus).toBe('no_profile')
    expect(owner.state.profileError).toBe('')
    expect(owner.state.profile).toBeNull()
  })

  it('treats other failures as errors', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 404, data: { code: 'not_found', message: '未找到' } })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    expect(owner.state.profileStatus).toBe('error')
    expect(owner.state.profileError).toBe('未找到')
  })
})

describe('contact details', () => {
  const current = { emergency_contact: '王芳 13900001111' }

  it('validates the phone as an 11-digit mainland mobile and sends only what changed', () => {
    expect(validateContact({ phone: '1381234567', emergencyContact: current.emergency_contact }, current).errors.phone).toBe(
      '请输入11位有效手机号',
    )
    expect(validateContact({ phone: '12812345678', emergencyContact: '' }, current).errors.phone).toBe('请输入11位有效手机号')
    expect(validateContact({ phone: '138123456789', emergencyContact: '' }, current).body).toBeNull()
    expect(validateContact({ phone: '13812345678', emergencyContact: ' 王芳 13900001111 ' }, current)).toEqual({
      body: { phone: '13812345678' },
      errors: {},
    })
    expect(validateContact({ phone: '', emergencyContact: '李四 13700000000' }, current).body).toEqual({
      emergency_contact: '李四 13700000000',
    })
    // clearing the emergency contact is a change too
    expect(validateContact({ phone: '', emergencyContact: '' }, current).body).toEqual({ emergency_contact: '' })
    expect(validateContact({ phone: '', emergencyContact: current.emergency_contact }, current)).toEqual({
      body: null,
      errors: { form: '没有需要保存的修改' },
    })
    expect(validateContact({ phone: '', emergencyContact: '长'.repeat(101) }, current).errors.emergency_contact).toBe(
      '不能超过100个字',
    )
  })

  it('does not call the API when the form is invalid', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createContactForm(owner)
    form.start()
    expect(form.emergencyContact).toBe('王芳 13900001111')
    form.phone = '138'
    expect(await form.submit()).toBe(false)
    expect(form.open).toBe(true)
    expect(form.errors.phone).toBe('请输入11位有效手机号')
    expect(backend.called()).toEqual(['GET /api/v1/owner/profile/'])
  })

  it('saves at once and shows the new values', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('PATCH /api/v1/owner/profile/', (o) => ({
      status: 200,
      data: profile({ phone_masked: '139****0000', emergency_contact: (o.data as { emergency_contact: string }).emergency_contact }),
    }))
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createContactForm(owner)
    form.start()
    form.phone = '13900000000'
    form.emergencyContact = '李四 13700000000'
    expect(await form.submit()).toBe(true)
    expect(form.open).toBe(false)
    expect(backend.calls[1]).toMatchObject({
      method: 'PATCH',
      url: '/api/v1/owner/profile/',
      data: { phone: '13900000000', emergency_contact: '李四 13700000000' },
    })
    expect(owner.state.profile).toMatchObject({ phone_masked: '139****0000', emergency_contact: '李四 13700000000' })
  })

  it('copes with an answer that is not the whole profile', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('PATCH /api/v1/owner/profile/', { status: 204, data: '' })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    await owner.saveContact({ phone: '13900000000' })
    expect(owner.state.profile).toMatchObject({ phone_masked: '139****0000', emergency_contact: '王芳 13900001111', name: '林业主' })
  })

  it("shows the server's field message", async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('PATCH /api/v1/owner/profile/', {
      status: 400,
      data: { code: 'invalid', message: '输入有误', fields: { phone: ['该手机号已被其他住户使用'] } },
    })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createContactForm(owner)
    form.start()
    form.phone = '13900000000'
    expect(await form.submit()).toBe(false)
    expect(form.errors).toMatchObject({ phone: '该手机号已被其他住户使用' })
    expect(form.errors.form).toBeUndefined()
    expect(owner.state.profile?.phone_masked).toBe('138****3333')
  })
})

describe('identity corrections', () => {
  it('validates name and ID number (checksum) and needs at least one change', () => {
    const current = { name: '林业主' }
    expect(validateCorrection({ name: '林业主', idNumber: '' }, current, NOW)).toEqual({
      body: null,
      errors: { form: '请填写要修改的姓名或身份证号' },
    })
    expect(validateCorrection({ name: '林业主', idNumber: '110105194912310021' }, current, NOW).errors.id_number).toBe(
      '身份证号校验位不正确，请核对',
    )
    expect(validateCorrection({ name: '林业主', idNumber: '1101051949' }, current, NOW).errors.id_number).toBe(
      '身份证号须为18位：17位数字加1位数字或X',
    )
    expect(validateCorrection({ name: ' 林叶竹 ', idNumber: '11010519491231002x' }, current, NOW).body).toEqual({
      name: '林叶竹',
      id_number: '11010519491231002X',
    })
    expect(validateCorrection({ name: '林业主', idNumber: '320102198511111239' }, current, NOW).body).toEqual({
      id_number: '320102198511111239',
    })
    expect(validateCorrection({ name: '名'.repeat(51), idNumber: '' }, current, NOW).errors.name).toBe('不能超过50个字')
  })

  it('submits and then shows the request as pending', async () => {
    let submitted = false
    backend.on('GET /api/v1/owner/profile/', () => ({
      status: 200,
      data: profile(
        submitted ? { pending_correction: correction({ id: 7, name: '林叶竹' }) } : {},
      ),
    }))
    backend.on('POST /api/v1/owner/profile/corrections/', () => {
      submitted = true
      return { status: 201, data: { id: 7, status: 'pending' } }
    })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createCorrectionForm(owner)
    form.start()
    expect(form.name).toBe('林业主')
    form.name = '林叶竹'
    expect(await form.submit(NOW)).toBe(true)
    expect(form.open).toBe(false)
    expect(backend.calls[1]).toMatchObject({ method: 'POST', data: { name: '林叶竹' } })
    expect(owner.state.profile?.pending_correction).toMatchObject({ id: 7, name: '林叶竹' })
  })

  it('shows what was sent as pending when the reload does not have it', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('POST /api/v1/owner/profile/corrections/', { status: 201, data: { id: 8, created_at: '2026-06-01T04:00:00Z' } })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    await owner.submitCorrection({ id_number: '320102198511111239' })
    expect(owner.state.profile?.pending_correction).toEqual({
      id: 8,
      name: '',
      id_number_masked: '320102********1239',
      status: 'pending',
      reason: '',
      created_at: '2026-06-01T04:00:00Z',
      decided_at: null,
    })
  })

  it('does not send an invalid ID number', async () => {
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createCorrectionForm(owner)
    form.start()
    form.idNumber = '110105194912310021'
    expect(await form.submit(NOW)).toBe(false)
    expect(form.errors.id_number).toBe('身份证号校验位不正确，请核对')
    expect(backend.called()).toEqual(['GET /api/v1/owner/profile/'])
  })

  it('gives way to a request already pending (409 correction_pending)', async () => {
    let calls = 0
    backend.on('GET /api/v1/owner/profile/', () => ({
      status: 200,
      data: profile(
        calls++ > 0 ? { pending_correction: correction({ id: 3, id_number_masked: '110105********002X' }) } : {},
      ),
    }))
    backend.on('POST /api/v1/owner/profile/corrections/', {
      status: 409,
      data: { code: 'correction_pending', message: '已有一个修改申请在审核中' },
    })
    const owner = createOwnerStore(backend.api)
    await owner.loadProfile()
    const form = createCorrectionForm(owner)
    form.start()
    form.name = '林叶竹'
    expect(await form.submit(NOW)).toBe(false)
    expect(form.open).toBe(false)
    expect(form.errors.form).toBe('已有一个修改申请在审核中')
    expect(owner.state.profile?.pending_correction?.id).toBe(3)
  })
})

describe('owner API calls', () => {
  it('uses the contract paths and bodies', async () => {
    backend.on('GET /api/v1/owner/houses/', { status: 200, data: { count: 2, next: null, previous: null, results: HOUSES } })
    backend.on('GET /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('PATCH /api/v1/owner/profile/', { status: 200, data: profile() })
    backend.on('POST /api/v1/owner/profile/corrections/', { status: 201, data: { id: 1 } })
    const api = backend.api
    expect(await api.ownerHouses()).toHaveLength(2) // a page is accepted as well as an array
    await api.ownerProfile()
    await api.updateOwnerContact({ emergency_contact: '' })
    await api.requestCorrection({ name: '林叶竹' })
    expect(backend.calls.map((c) => [c.method, c.url, c.data])).toEqual([
      ['GET', '/api/v1/owner/houses/', undefined],
      ['GET', '/api/v1/owner/profile/', undefined],
      ['PATCH', '/api/v1/owner/profile/', { emergency_contact: '' }],
      ['POST', '/api/v1/owner/profile/corrections/', { name: '林叶竹' }],
    ])
    expect(backend.calls[0].headers?.Authorization).toBe('Bearer owner-token')
  })
})
