/** Shapes of the company API (api/v1) the app uses, named after the server's document (./contract.ts). */
import type { Schemas } from './contract'

export type SiteBranding = Schemas['Branding']
/** Who answers on this host: a company (with its branding) or the public platform. */
export type SiteResponse = Schemas['Site']

export type Me = Schemas['Me']
/** The user a login hands back (what the app keeps with the token). */
export type AuthUser = Pick<Me, 'id' | 'name' | 'phone_masked'>
export type LoginResponse = Schemas['TokenResponse']
export type SmsSendResponse = Schemas['SmsSent']

export type Estate = Schemas['OwnerEstate']
export type HouseOption = Schemas['OwnerHouse']

export type Relation = Schemas['RelationEnum']
export type BindingStatus = Schemas['BindingStatusEnum']

/** By house and relation, or by the code printed for the house (the document has both, optional). */
export type CreateBindingRequest = Schemas['BindingRequestRequest'] &
  ({ house_id: number; relation: Relation; name: string } | { house_code: string })

export type Binding = Schemas['Binding']

/** The backend's error body: `{"code", "message", "fields": {field: [msg]}}`. */
export interface ApiErrorBody {
  code: string
  message: string
  fields?: Record<string, string[]>
}

/* ---- Owner: my houses and my data (`/api/v1/owner/houses/`, `/api/v1/owner/profile/`) ---- */

/** One of the caller's current houses (an occupancy that has not moved out). */
export type OwnerHouse = Schemas['OwnerHouseEntry']

export type Gender = Schemas['GenderEnum'] | Schemas['BlankEnum']
export type CorrectionStatus = Schemas['BindingStatusEnum']

/** An identity change the owner asked for: only what changes is filled in. */
export type OwnerCorrection = Schemas['OwnerCorrection']
export type OwnerProfile = Schemas['OwnerProfileAnswer']

/** Contact details change at once. */
export type UpdateOwnerContactRequest = Schemas['PatchedOwnerProfileRequest']
/** Identity fields go to staff for approval; send only the ones to change. */
export type CreateCorrectionRequest = Schemas['OwnerCorrectionRequestRequest']

/* ---- Owner: bills (`/api/v1/owner/bills/`, `/history/`, `/api/v1/owner/receipts/{id}/pdf/`) ---- */

/** One house's bills: lines due, overdue and recently paid (each explained), totals, prepaid balance. */
export type OwnerHouseBills = Schemas['OwnerHouseBills']
/** A charge line; amounts are decimal strings in yuan. */
export type OwnerBillLine = Schemas['OwnerLine']
export type ChargeStatus = Schemas['ChargeStatusEnum']
/** A late fee building up on an overdue line (posted when paid). */
export type AccruingLateFee = Schemas['Accruing']
export type OwnerBillTotals = Schemas['OwnerTotals']
/** A payment in the owner's history, with the lines it paid and its receipt. */
export type OwnerPayment = Schemas['OwnerPayment']
export type OwnerPaymentLine = Schemas['OwnerPaymentLine']
export type OwnerPaymentPage = Schemas['PaginatedOwnerPaymentList']
export type PaymentMethod = Schemas['PaymentMethodEnum']

/* ---- Owner: paying bills online (`/api/v1/owner/payments/…`) ---- */

/** How the owner can pay on this device: a gateway and channel (jsapi in WeChat, h5 in a browser). */
export type PayMethod = Schemas['PaymentMethod']
export type PayChannel = Schemas['ChannelEnum']
/** What paying the chosen charges comes to today, late fees included (the order's amount). */
export type PaymentQuote = Schemas['PaymentQuote']
/** One payment attempt: pending until the gateway says otherwise. */
export type PaymentOrder = Schemas['PaymentOrder']
export type PaymentOrderStatus = Schemas['PaymentOrderStatusEnum']
export type StartPaymentRequest = Schemas['StartPaymentRequest']
/** Where the app runs, as `owner/payments/methods/?client=` names it. */
export type PayClient = 'mp-weixin' | 'h5'

/* ---- Owner: invoices (`/api/v1/owner/invoices/`, `/payments/`, `/{id}/pdf/`) ---- */

/** An invoice request and what became of it (issued with its number, rejected with a reason…). */
export type OwnerInvoice = Schemas['Invoice']
export type InvoiceStatus = Schemas['InvoiceStatusEnum']
export type TitleKind = Schemas['TitleKindEnum']
/** A paid payment not yet on an invoice; `invoiceable` is what the invoice's line will say. */
export type InvoiceablePayment = Schemas['InvoiceablePayment']
export type OwnerInvoiceRequest = Schemas['OwnerInvoiceRequestRequest']

/* ---- Owner: messages (`/api/v1/owner/notifications/`) ---- */

/** One message of the owner's inbox (a bill issued, a notice), rendered in the request's language. */
export type OwnerMessage = Schemas['InboxItem']

/** When the owner app asks for WeChat subscribe messages (after paying, after binding a house). */
export type SubscribeMoment = 'payment' | 'binding' | 'repair'
export type WechatSubscriptions = Schemas['OwnerWechatSubscriptions']

/** The owner's notification settings, with every event and whether it may be muted. */
export type OwnerPreferences = Schemas['Preference']
export type OwnerPreferencesRequest = Schemas['PreferenceRequest']

/* ---- 报修 (`/api/v1/owner/repairs/`, `/api/v1/owner/repair-categories/`) ---- */

export type RepairCategory = Schemas['RepairCategory']
export type OwnerRepair = Schemas['RepairOrder']
export type OwnerRepairDetail = Schemas['RepairOrderDetail']
export type OwnerNotice = Schemas['OwnerNotice']
export type OwnerNoticeDetail = Schemas['OwnerNoticeDetail']
export type NoticeKind = Schemas['NoticeKindEnum']
export type RepairStep = Schemas['TimelineEntry']
export type RepairStatus = Schemas['RepairStatusEnum']
export type Urgency = Schemas['UrgencyEnum']
export type RepairFiling = Schemas['OwnerFileRequest']
export type RepairPhoto = Schemas['RepairPhoto']
export type RepairRating = Schemas['RateRequest']
export type OwnerFeedback = Schemas['Feedback']
export type OwnerFeedbackDetail = Schemas['FeedbackDetail']
export type FeedbackKind = Schemas['FeedbackKindEnum']
export type FeedbackStatus = Schemas['FeedbackStatusEnum']
export type FeedbackFiling = Schemas['FeedbackFileRequest']
export type FeedbackPhoto = Schemas['FeedbackPhoto']

/* ---- 社区活动 (`/api/v1/owner/activities/`, `/api/v1/owner/activity-signups/`) ---- */

export type OwnerActivity = Schemas['OwnerActivity']
export type OwnerActivityDetail = Schemas['OwnerActivityDetail']
export type MySignUp = Schemas['MySignUp']
export type SignUpRequest = Schemas['SignUpRequestRequest']

/* ---- 家政服务 / 周边商家 (`/api/v1/owner/vendors/`, `/api/v1/owner/vendor-orders/`) ---- */

/** What a payment order pays: the bills of a house, or one service order. */
export type PaymentPurpose = Schemas['PurposeEnum']
/** Which list a vendor shows in (`both`: in each). */
export type VendorKind = Schemas['VendorKindEnum']
/** A vendor the company admitted for the estates of my houses; `phone` is its business phone. */
export type OwnerVendor = Schemas['OwnerVendor']
/** One vendor with its catalogue and the open slots of the next 14 days. */
export type OwnerVendorDetail = Schemas['OwnerVendorDetail']
export type OwnerOffering = Schemas['OwnerOffering']
export type OwnerSlot = Schemas['OwnerSlot']
export type Fulfilment = Schemas['FulfilmentEnum']
export type BookRequest = Schemas['VendorOrderBookRequest']
/** 服务订单: unpaid (fixed price) or booked (quoted) at first, then the vendor's moves. */
export type VendorOrder = Schemas['OwnerOrder']
export type VendorOrderStatus = Schemas['VendorOrderStatusEnum']
export interface VendorOrderPage {
  count: number
  next?: string | null
  previous?: string | null
  results: VendorOrder[]
}
/** How the vendor list is ordered: by name (the default) or nearest to my estate first. */
export type VendorSort = 'name' | 'distance'
export type OwnerPhoto = Schemas['OwnerPhoto']
export type VendorOrderRating = Schemas['VendorOrderRateRequest']
