from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import BlindIndexField, EncryptedTextField
from core.masking import mask_phone
from core.storage import platform_private_storage


class VendorKind(models.TextChoices):
    MERCHANT = "merchant", _("周边商家")
    HOUSEKEEPING = "housekeeping", _("家政服务")
    BOTH = "both", _("商家及家政")


class Vendor(models.Model):
    """服务商 — a merchant or housekeeping vendor: one for all the companies it serves."""

    # What the vendor tells a company that wants to invite it (no company browses the vendor list).
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=VendorKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), platform=True)
    is_active = models.BooleanField(_("启用"), default=True)  # the platform's own switch (the console)
    deactivated_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a current qualification document ran out (partners.services.expiry): the vendor's
    # listings are hidden in every company until a valid document replaces it.
    listings_suspended_at = models.DateTimeField(null=True, blank=True)
    listings_suspended_reason = models.CharField(max_length=200, blank=True)
    # 店铺资料: what owners see of the shop, blank until the vendor fills it in (portal: shop/).
    address = models.CharField(_("地址"), max_length=200, blank=True)
    intro = models.CharField(_("简介"), max_length=500, blank=True)
    opens_at = models.TimeField(_("营业开始"), null=True, blank=True)
    closes_at = models.TimeField(_("营业结束"), null=True, blank=True)  # earlier than opens_at: past midnight
    hours_note = models.CharField(_("营业说明"), max_length=100, blank=True)  # 周一店休, 节假日照常
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)  # GCJ-02
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Texts to the contact phone for what needs the vendor (a new order, a cancellation, a company's
    # decision, a document running out); the portal's 消息 keep everything either way.
    sms_alerts = models.BooleanField(_("短信提醒"), default=True)

    class Meta:
        verbose_name = _("服务商")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True, closes_at__isnull=True)
                | (
                    models.Q(opens_at__isnull=False, closes_at__isnull=False)
                    & ~models.Q(opens_at=models.F("closes_at"))
                ),
                name="vendor_hours_both_or_neither",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="vendor_location_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")


class VendorRole(models.TextChoices):
    MANAGER = "manager", _("负责人")
    STAFF = "staff", _("员工")


# permission -> the vendor roles holding it (the partner portal's own, never a company's).
VENDOR_PERMISSIONS: dict[str, frozenset[str]] = {
    "partner.view": frozenset({VendorRole.MANAGER, VendorRole.STAFF}),
    "partner.manage": frozenset({VendorRole.MANAGER}),  # documents, applying to companies
}


class VendorAccount(models.Model):
    """服务商账号 — one of a vendor's people who signs in to the partner portal. Not a company's
    user: it lives in the public schema and no company host accepts its tokens."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("手机号"), platform=True)
    # HMAC of the phone (public schema's key): the sign-in name, found without decrypting every row.
    phone_index = BlindIndexField(source="phone", purpose="partner_phone")
    password = models.CharField(max_length=128)
    role = models.CharField(max_length=16, choices=VendorRole.choices, default=VendorRole.STAFF)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_login = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务商账号")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"], condition=~models.Q(phone_index=""), name="partner_account_phone_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    # What DRF and the permission class ask of request.user.
    is_authenticated = True
    is_anonymous = False

    @property
    def permissions(self) -> frozenset[str]:
        if not (self.is_active and self.vendor.is_active):
            return frozenset()
        return frozenset(p for p, roles in VENDOR_PERMISSIONS.items() if self.role in roles)

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")


class PartnerToken(models.Model):
    """A bearer token of the partner portal. Only its SHA-256 is stored; only the public host's
    partner endpoints look it up (a company's host knows only its own accounts' tokens)."""

    key_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="tokens")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"partner token of {self.account_id}"


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    FOOD_LICENCE = "food_licence", _("食品经营许可证")
    HEALTH_CERTIFICATE = "health_certificate", _("健康证")
    OTHER = "other", _("其他资质")


class QualificationDocument(models.Model):
    """资质文件 — a licence or certificate a vendor uploads for the companies to review (资质审核).
    A newer document of the same kind replaces the older one."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类型"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("证件编号"), max_length=64)
    file = models.FileField(_("文件"), storage=platform_private_storage, upload_to="partners/documents/")
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)  # none: does not expire
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Set once each by the expiry sweep: the guards that make a second run do nothing.
    expired_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["expires_on"], condition=models.Q(expired_at__isnull=True), name="doc_live")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class AdmissionStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已准入")
    REJECTED = "rejected", _("已拒绝")
    SUSPENDED = "suspended", _("已暂停")


class Admission(models.Model):
    """准入 — one company's admission of one vendor: who asked, the company's review of the
    documents, the estates served and the commission. Carries its company: a company reads only
    its own rows (partners.selectors.company_admissions)."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="admissions")
    status = models.CharField(max_length=16, choices=AdmissionStatus.choices)
    # Estates of the company's own schema (ids there); checked against them when set.
    estate_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # A fraction of each order's amount (0.0500 = 5 %).
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    documents_reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)  # the last rejection's or suspension's reason
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("准入")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "vendor"], name="admission_company_vendor_unique"),
            models.CheckConstraint(
                condition=models.Q(commission_rate__gte=0, commission_rate__lt=1), name="admission_commission_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id}@{self.company_id}: {self.status}"


class OfferingKind(models.TextChoices):
    SERVICE = "service", _("家政服务")
    GOODS = "goods", _("商品")


class PriceMode(models.TextChoices):
    FIXED = "fixed", _("一口价")
    QUOTED = "quoted", _("上门报价")


class Offering(models.Model):
    """服务项目 — one item of a vendor's catalogue: a housekeeping service or a merchant's offer.
    `company` empty: offered in every company that admitted the vendor; set: in that company only
    (its own price there, say). A fixed price is what the owner pays when booking; a quoted one is
    agreed at the door and `price` is then only the "from" figure shown."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="offerings")
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=OfferingKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=1000, blank=True)
    price_mode = models.CharField(_("计价方式"), max_length=16, choices=PriceMode.choices, default=PriceMode.FIXED)
    price = models.DecimalField(_("价格"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True)  # 次, 小时, 件
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务项目")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="offering_price_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(price_mode="fixed") | models.Q(price__gt=0), name="offering_fixed_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_service(self) -> bool:
        """Booked in one of the vendor's slots and done at the owner's home (goods: delivered or picked up)."""
        return self.kind == OfferingKind.SERVICE

    @property
    def is_fixed_price(self) -> bool:
        return self.price_mode == PriceMode.FIXED


class ServiceSlot(models.Model):
    """服务时段 — a window in which the vendor can take `capacity` bookings, for every company that
    admitted it (`company` empty) or one. Places are SlotPlace rows, taken under the slot's lock."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="slots")
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可约数量"))
    is_open = models.BooleanField(default=True)  # closed by the vendor: no new bookings, taken places stay
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("服务时段")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["vendor", "starts_at"], name="slot_vendor_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1, capacity__lte=200), name="slot_capacity_range"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.starts_at:%Y-%m-%d %H:%M}"


class SlotPlace(models.Model):
    """One place of a slot, held by one company's order (its id in that company's schema) until the
    order is cancelled (`released_at`). The count of unreleased places never passes the capacity:
    partners.services.slots takes them under the slot's row lock."""

    slot = models.ForeignKey(ServiceSlot, on_delete=models.PROTECT, related_name="places")
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    order_id = models.BigIntegerField()
    taken_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "order_id"], name="slot_place_once_per_order")]
        indexes = [models.Index(fields=["slot"], condition=models.Q(released_at__isnull=True), name="slot_place_live")]

    def __str__(self) -> str:
        return f"{self.slot_id}: {self.company_id}/{self.order_id}"


class PortalOrder(models.Model):
    """The partner portal's copy of one company's order with a vendor (the order itself lives in the
    company's schema: vendor_orders). Written by partners.services.portal_orders in the same
    transaction as every change of the order, so the vendor reads all its companies' orders in one
    query — and only while its admission there is approved (the join on `admission`)."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="portal_orders")
    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="portal_orders")
    order_id = models.BigIntegerField()  # in the company's schema
    number = models.CharField(max_length=32)
    version = models.PositiveIntegerField()  # the order's own; an older copy never overwrites a newer
    status = models.CharField(max_length=16)
    offering_name = models.CharField(max_length=100)
    price_mode = models.CharField(max_length=16, default="fixed")  # quoted: the vendor prices it on completing
    fulfilment = models.CharField(max_length=16, default="at_home")  # at_home (a service), delivery or pickup
    quantity = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    estate_name = models.CharField(max_length=100)
    address = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=50)
    contact_phone = EncryptedTextField(platform=True)
    note = models.CharField(max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=16, blank=True)  # owner, vendor, company or system
    cancel_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "order_id"], name="portal_order_once")]
        indexes = [
            models.Index(fields=["vendor", "-created_at", "-id"], name="portal_order_vendor_recent"),
            # The settlement's month: the later of completion and payment (partners.selectors.settlement).
            models.Index(
                F("company"), F("vendor"), Greatest("completed_at", "paid_at"), name="portal_order_settles_at"
            ),
            # The list's count (selectors.vendor_orders) from the index alone.
            models.Index(fields=["vendor", "admission"], name="portal_order_vendor_admission"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.number}"


def _catalog_photo_path(photo: CatalogPhoto, filename: str) -> str:
    return f"partners/photos/{photo.vendor_id}/{photo.token}/{filename}"


class CatalogPhoto(models.Model):
    """A photo of the vendor's shop (`offering` empty) or of one offering, shown to the owners of the
    companies that list the vendor. Stored re-encoded without metadata (core.images) in the
    platform's private storage; served only through the portal's and the owners' checked views."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="photos")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    file = models.FileField(upload_to=_catalog_photo_path, max_length=200, storage=platform_private_storage)
    thumbnail = models.FileField(upload_to=_catalog_photo_path, max_length=200, storage=platform_private_storage)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["vendor", "offering"], name="catalog_photo_of")]

    def __str__(self) -> str:
        return f"photo {self.pk} of vendor {self.vendor_id}"


class NoticeKind(models.TextChoices):
    ORDER_BOOKED = "order_booked", _("新订单")
    ORDER_CANCELLED = "order_cancelled", _("订单取消")
    ORDER_PAID = "order_paid", _("业主付款")
    ORDER_RATED = "order_rated", _("业主评价")
    ADMISSION_INVITED = "admission_invited", _("物业邀请")
    ADMISSION_APPROVED = "admission_approved", _("入驻通过")
    ADMISSION_REJECTED = "admission_rejected", _("入驻未通过")
    ADMISSION_SUSPENDED = "admission_suspended", _("暂停合作")
    ADMISSION_REINSTATED = "admission_reinstated", _("恢复合作")
    ADMISSION_TERMS = "admission_terms", _("合作条款变更")
    DOCUMENT_EXPIRING = "document_expiring", _("证件即将到期")
    DOCUMENT_EXPIRED = "document_expired", _("证件已过期")


class NoticeSms(models.TextChoices):
    NONE = "", _("不发短信")
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")  # the vendor turned texts off, or was deactivated, before it went


class VendorNotice(models.Model):
    """消息 — something the vendor should know, written in the transaction of what happened (an
    order's move, a company's decision, the expiry run). Its text is rendered when read, in the
    reader's language (partners.notices); a text to the contact phone leaves through the outbox."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="notices")
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    context = models.JSONField(default=dict)
    portal_order = models.ForeignKey(PortalOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=200, unique=True)  # what happened, once: a redelivery adds nothing
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    sms = models.CharField(max_length=12, choices=NoticeSms.choices, blank=True, default=NoticeSms.NONE)
    sms_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["vendor", "-created_at", "-id"], name="vendor_notice_recent"),
            models.Index(fields=["vendor"], condition=models.Q(read_at__isnull=True), name="vendor_notice_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for vendor {self.vendor_id}"


class VendorInvitation(models.Model):
    """A company's invitation, by text message, of a vendor not signed up yet (or signed up under a
    phone the company does not know): whoever opens the link signs up, or signs in, and applies to
    that company. Only the token's SHA-256 is kept; the phone is sealed."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), platform=True)
    phone_index = BlindIndexField(source="phone", purpose="partner_phone")  # the public schema's key
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)  # the current link's text
    sms_error = models.CharField(max_length=200, blank=True)  # why the current link's text did not go
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "phone_index"], name="vendor_invitation_phone")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(vendor__isnull=False),
                name="vendor_invitation_accepted_by_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")
