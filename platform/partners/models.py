from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.postgres.fields import ArrayField
from django.db import models
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
    is_active = models.BooleanField(default=True)  # the platform's own switch (the console)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a current qualification document ran out (partners.services.expiry): the vendor's
    # listings are hidden in every company until a valid document replaces it.
    listings_suspended_at = models.DateTimeField(null=True, blank=True)
    listings_suspended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务商")

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
