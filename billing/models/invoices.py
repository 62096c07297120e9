"""Invoices (发票): an owner (or staff for them) asks for an invoice over paid payments; staff issue it
through the e-invoice provider or record a paper one, or reject it; an issued invoice is voided by a
red-letter invoice (红冲).

An invoice on its way or issued locks its payments: a payment is on at most one live invoice (a
partial unique index on the lines), and a refund or receipt void of a locked payment is refused by
a trigger on the ledger, whatever the caller forgot. Status changes follow the state machine below,
held by a trigger too; a line's `live` flag follows its invoice's status (trigger), so the index
sees what the invoice is.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.ledger import Payment
from core.storage import private_storage
from tenants.estates.models import House


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("待审核")
    ISSUING = "issuing", _("开具中")
    ISSUED = "issued", _("已开具")
    FAILED = "failed", _("开具失败")
    REJECTED = "rejected", _("已驳回")
    VOIDING = "voiding", _("红冲中")
    VOIDED = "voided", _("已红冲")


# from -> the statuses it may move to (the migration's trigger holds the same table).
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"issuing", "issued", "rejected"}),
    "issuing": frozenset({"issued", "failed"}),
    "failed": frozenset({"issuing", "rejected"}),
    "issued": frozenset({"voiding", "voided"}),
    "voiding": frozenset({"voided", "issued"}),
    "rejected": frozenset(),
    "voided": frozenset(),
}
# Statuses holding their payments: no other invoice may take them.
LIVE = frozenset({"requested", "issuing", "failed", "issued", "voiding"})
# Statuses locking their payments against refunds and voids: the provider may have issued.
LOCKING = frozenset({"issuing", "issued", "voiding"})


class InvoiceKind(models.TextChoices):
    ELECTRONIC = "electronic", _("电子发票")
    PAPER = "paper", _("纸质发票")


class TitleKind(models.TextChoices):
    PERSONAL = "personal", _("个人")
    COMPANY = "company", _("单位")


# 统一社会信用代码: 18 characters of this alphabet (no I, O, S, V, Z), the last a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(r"[1-9A-HJ-NP-RTUWXY][1-9A-HJ-NP-RTUWXY][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")
# Older taxpayer numbers (before 2015): 15, 17 or 20 letters and digits.
_LEGACY_TAX_NUMBER = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{20}")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_tax_number(value: str) -> bool:
    """A unified social credit code with its check character right, or a legacy taxpayer number."""
    if len(value) == 18:
        return bool(_USCC.fullmatch(value)) and uscc_check_character(value[:17]) == value[17]
    return bool(_LEGACY_TAX_NUMBER.fullmatch(value))


class Invoice(models.Model):
    """发票 — an invoice over paid payments of one house, requested, then issued (or rejected), maybe voided."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="invoices")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title_kind = models.CharField(_("抬头类型"), max_length=10, choices=TitleKind.choices)
    title = models.CharField(_("发票抬头"), max_length=100)
    tax_number = models.CharField(_("税号"), max_length=20, blank=True, default="")
    email = models.EmailField(_("接收邮箱"), blank=True, default="")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.REQUESTED)
    kind = models.CharField(_("发票类型"), max_length=10, choices=InvoiceKind.choices, blank=True, default="")
    # Our number for the provider (its orderNo): unique everywhere, so a retry is recognised as one.
    order_no = models.CharField(max_length=32, unique=True)
    provider = models.CharField(_("开票服务"), max_length=20, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)  # electronic submissions, each its own order_no
    provider_serial = models.CharField(_("开票流水号"), max_length=64, blank=True, default="")
    invoice_code = models.CharField(_("发票代码"), max_length=20, blank=True, default="")
    invoice_number = models.CharField(_("发票号码"), max_length=20, blank=True, default="")
    issued_at = models.DateTimeField(_("开票时间"), null=True, blank=True)
    pdf = models.FileField(_("发票文件"), storage=private_storage, upload_to="invoices/", blank=True, default="")
    failure = models.CharField(_("失败原因"), max_length=200, blank=True, default="")
    reject_reason = models.CharField(_("驳回原因"), max_length=200, blank=True, default="")
    void_reason = models.CharField(_("红冲原因"), max_length=200, blank=True, default="")
    void_order_no = models.CharField(max_length=32, null=True, blank=True, unique=True)
    void_serial = models.CharField(_("红冲流水号"), max_length=64, blank=True, default="")
    voided_at = models.DateTimeField(_("红冲时间"), null=True, blank=True)
    # The red invoice itself (an electronic one): a company buyer needs it to reverse its input VAT.
    void_invoice_code = models.CharField(_("红字发票代码"), max_length=20, blank=True, default="")
    void_invoice_number = models.CharField(_("红字发票号码"), max_length=20, blank=True, default="")
    void_pdf = models.FileField(
        _("红字发票文件"), storage=private_storage, upload_to="invoices/", blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(title_kind="personal") | ~Q(tax_number=""), name="invoice_company_has_tax_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="invoice_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "voiding", "voided"])
                | (~Q(kind="") & ~Q(invoice_number="") & Q(issued_at__isnull=False)),
                name="invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issuing", "failed"]) | Q(kind="electronic"),
                name="invoice_only_electronic_issues_async",
            ),
        ]
        indexes = [models.Index(fields=["house", "created_at"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.house_id} {self.title} {self.amount} {self.status}"


class InvoiceLine(models.Model):
    """发票明细 — a payment an invoice covers, and the amount of it (what it paid towards charges)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="invoice_lines")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    live = models.BooleanField(default=True)  # kept equal to "its invoice's status is in LIVE" by a trigger

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_line_amount_positive"),
            models.UniqueConstraint(fields=["payment"], condition=Q(live=True), name="payment_on_one_live_invoice"),
            models.UniqueConstraint(fields=["invoice", "payment"], name="invoice_line_once_per_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}:{self.payment_id}:{self.amount}"
