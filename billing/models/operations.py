"""What staff run and approve around the ledger: bill runs, receipts, deposits, refunds, waivers, shifts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.fees import FeeItem
from billing.models.ledger import Charge, Payment
from tenants.estates.models import Building, Estate, House


class BillingSettings(models.Model):
    """A company's billing settings (one row): the day of the month its bills are issued, reminders."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    bill_day = models.PositiveSmallIntegerField(_("每月出账日"), default=1)
    due_soon_days = models.PositiveSmallIntegerField(_("到期前提醒天数"), default=3)
    auto_bill_runs = models.BooleanField(_("自动出账"), default=True)
    # A fixed reduction (费用减免) waits for someone holding fees.approve; off: fees.manage applies it at once.
    reductions_need_approval = models.BooleanField(_("减免需审批"), default=True)
    # The seller on the company's e-invoices (销方): its tax number, address and phone as registered.
    invoice_seller_tax_number = models.CharField(_("销方税号"), max_length=20, blank=True, default="")
    invoice_seller_address = models.CharField(_("销方地址"), max_length=100, blank=True, default="")
    invoice_seller_phone = models.CharField(_("销方电话"), max_length=20, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="billing_settings_singleton"),
            models.CheckConstraint(condition=Q(bill_day__gte=1, bill_day__lte=28), name="billing_settings_bill_day"),
        ]

    def __str__(self) -> str:
        return f"bill day {self.bill_day}"


class BillRunStatus(models.TextChoices):
    PREVIEWED = "previewed", _("已预览")
    RUNNING = "running", _("出账中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class BillRun(models.Model):
    """出账批次 — bills issued for an estate (or one building) as of a date, previewed before it commits.

    Resumable and idempotent: charges are inserted with ON CONFLICT DO NOTHING against the ledger's
    unique key, so a run killed midway and started again leaves each charge exactly once.
    """

    estate = models.ForeignKey(Estate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("出账日期"))
    fee_items = models.ManyToManyField(FeeItem, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=BillRunStatus.choices)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scheduled = models.BooleanField(_("定时出账"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The monthly schedule runs once per company and date, however often beat fires.
            models.UniqueConstraint(
                fields=["as_of"], condition=Q(scheduled=True), name="bill_run_scheduled_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"bill run {self.as_of} {self.status}"


class ReceiptSequence(models.Model):
    """The last receipt number of a year; taken under a row lock so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}:{self.last}"


class Receipt(models.Model):
    """收据 — a numbered receipt for a payment; the snapshot is what was printed, so a reprint is identical."""

    number = models.CharField(_("收据编号"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    snapshot = models.JSONField(default=dict)
    issued_at = models.DateTimeField(_("开具时间"))
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True, default="")
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_sequence_unique"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name="receipt_void_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class Deposit(models.Model):
    """押金 — a deposit held for a payer: a liability, not income, until returned or applied to arrears."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="deposits")
    purpose = models.CharField(_("用途"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="deposit")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive")]

    def __str__(self) -> str:
        return f"{self.house_id} {self.purpose} {self.amount}"


class DepositSettlement(models.Model):
    """A deposit returned or applied to arrears, in part or whole; held ≤ the deposit by a trigger."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("退还")
        APPLIED = "applied", _("抵扣欠费")

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    # The internal payment (method "deposit") that applied it to charges.
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_settlement"
    )
    refund = models.OneToOneField(
        "billing.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_settlement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_settlement_positive"),
            models.CheckConstraint(
                condition=Q(kind="applied", payment__isnull=False) | Q(kind="returned", refund__isnull=False),
                name="deposit_settlement_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deposit_id} {self.kind} {self.amount}"


class ChannelStatus(models.TextChoices):
    """Where a refund to the original online channel stands (blank: not such a refund)."""

    NONE = "", _("无")
    PROCESSING = "processing", _("退款中")
    REFUNDED = "refunded", _("已原路退回")
    FAILED = "failed", _("原路退款失败")


class PayoutStatus(models.TextChoices):
    """Whether an approved refund's money has gone back (blank: not approved). An offline refund is paid
    out at approval; one through the original channel is refunding until the channel confirms."""

    NONE = "", _("无")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    REFUND_FAILED = "refund_failed", _("退款失败")


class Refund(models.Model):
    """退款 — money paid back to a payer from a payment, their prepaid balance or a deposit, after approval."""

    class Source(models.TextChoices):
        PAYMENT = "payment", _("缴费退款")
        BALANCE = "balance", _("预存款退款")
        DEPOSIT = "deposit", _("押金退还")

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="refunds")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    method = models.CharField(_("退款方式"), max_length=12)
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True, default="")
    # A refund to the original online channel (method "original"): what the payments module reports.
    channel_status = models.CharField(
        _("原路退款状态"), max_length=12, choices=ChannelStatus.choices, blank=True, default=ChannelStatus.NONE
    )
    payout_status = models.CharField(
        _("退款状态"), max_length=14, choices=PayoutStatus.choices, blank=True, default=PayoutStatus.NONE
    )
    # When the money went back (the channel's confirmation, the cash paid out): the day income counts it.
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    # When its reversal lines were written (a payment's refund): they belong to the first refund of the
    # payment reversed at or after their own time (billing.selectors.income).
    reversed_at = models.DateTimeField(null=True, blank=True)
    # A failed channel refund paid out in cash at the desk instead: who paid it, which refund it replaced.
    paid_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_refund_no = models.CharField(_("原退款单号"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="approved", payout_status__in=["refunding", "refunded", "refund_failed"])
                | Q(~Q(status="approved"), payout_status=""),
                name="refund_payout_status_known",
            ),
            models.CheckConstraint(
                condition=Q(payout_status="refunded", refunded_at__isnull=False)
                | Q(~Q(payout_status="refunded"), refunded_at__isnull=True),
                name="refund_refunded_at_iff_refunded",
            ),
            models.CheckConstraint(
                condition=Q(channel_status__in=["", "processing", "refunded", "failed"]),
                name="refund_channel_status_known",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="refund_has_reason"),
            models.CheckConstraint(
                condition=Q(source="payment", payment__isnull=False, deposit__isnull=True)
                | Q(source="balance", payment__isnull=True, deposit__isnull=True)
                | Q(source="deposit", payment__isnull=True, deposit__isnull=False),
                name="refund_source_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.house_id} {self.source} {self.amount} {self.status}"


class WaiverKind(models.TextChoices):
    LATE_FEE = "late_fee", _("滞纳金减免")
    VACANCY = "vacancy", _("空置房优惠")
    REDUCTION = "reduction", _("费用减免")
    CORRECTION = "correction", _("错账更正")


class Waiver(models.Model):
    """减免申请 — a reduction of a charge awaiting approval; on approval it becomes an adjustment line."""

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="waivers")
    kind = models.CharField(_("类型"), max_length=12, choices=WaiverKind.choices)
    amount = models.DecimalField(_("减免金额"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    adjustment = models.OneToOneField(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="waiver_source"
    )
    rule = models.ForeignKey(  # the fixed-amount rule it applies, if any
        "billing.DiscountRule", null=True, blank=True, on_delete=models.PROTECT, related_name="waivers"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="waiver_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="waiver_has_reason"),
            models.UniqueConstraint(fields=["charge"], condition=Q(status="pending"), name="waiver_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id} {self.kind} {self.amount} {self.status}"


class CashierShift(models.Model):
    """收银班次 — a cashier's shift: opened with a float, closed with the counted cash."""

    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开班时间"))
    opening_float = models.DecimalField(_("备用金"), max_digits=12, decimal_places=2, default=Decimal("0"))
    closed_at = models.DateTimeField(_("交班时间"), null=True, blank=True)
    counted_cash = models.DecimalField(_("清点现金"), max_digits=12, decimal_places=2, null=True, blank=True)
    summary = models.JSONField(_("交班汇总"), default=dict, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["cashier"], condition=Q(closed_at__isnull=True), name="shift_one_open"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at"), counted_cash__isnull=False),
                name="shift_close_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cashier_id} {self.opened_at}"
