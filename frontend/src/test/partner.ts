import type { PartnerAccount, PartnerToken } from '@/api/partnerPortal'

/** A vendor manager's account as the partner API answers it. */
export function partnerAccount(over: Partial<PartnerAccount['vendor']> = {}): PartnerAccount {
  return {
    id: 7,
    name: '王经理',
    phone_masked: '139****1111',
    role: 'manager',
    permissions: ['partner.manage', 'partner.view'],
    vendor: {
      code: 'K7MX2Q',
      name: '洁净家政',
      kind: 'housekeeping',
      contact_name: '王经理',
      phone_masked: '139****1111',
      listings_suspended_at: null,
      listings_suspended_reason: '',
      ...over,
    },
  }
}

export const partnerToken = (token = 'partner-token-1'): PartnerToken => ({
  token,
  expires_at: '2027-01-03T00:00:00Z',
  account: partnerAccount(),
})
