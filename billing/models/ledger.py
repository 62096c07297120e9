"""The charge ledger (应收) and the money against it: payments (收款), allocations (核销), prepaid balances.

Every row here is immutable (a database trigger refuses UPDATE and DELETE): a correction is a new
row. A charge's status, an arrears figure or a balance is a query over these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models.fees import FeeItem
from tenants.estates.models import Building, Estate, House


class ChargeKind(models.TextChoices):
    REGULAR = "regular", _("应收")
    LATE_FEE = "late_fee", _("滞纳金")
    ADJUSTMENT = "adjustment", _("调整/减免")
    # A one-off charge another module posts for a service it rendered (a paid repair, an activity's
    # fee): billing.services.service_charges, once per `source`.
    SERVICE = "service", _("服务费")


class Charge(models.Model):
    """应收费用 — one immutable charge: a payer owes an amount for a fee item and a period [start, end).

    One regular charge per (payer, fee item, cycle), held by a unique index, so a bill run that is
    run twice, or killed and resumed, issues each charge once; one service charge (a fee another
    module posts, billing.services.service_charges) per `source`. A late fee is its own charge
    pointing at its principal; an adjustment (waiver, discount, correction) is a negative charge
    pointing at the charge it reduces. `calculation` keeps the inputs, so every line can be explained to an owner.
    """

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="charges")
    # Denormalised from the house so an estate's or building's ledger is one index scan.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(_("类型"), max_length=12, choices=ChargeKind.choices, default=ChargeKind.REGULAR)
    cycle_start = models.DateField(_("周期"))  # the cycle's first day: the uniqueness key
    period_start = models.DateField(_("计费开始"))
    period_end = models.DateField(_("计费结束"))  # exclusive
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    issued_on = models.DateField(_("出账日期"))
    due_date = models.DateField(_("缴费截止日"))
    calculation = models.JSONField(_("计算明细"), default=dict)
    principal = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived", verbose_name=_("关联费用")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    # A service charge's origin, e.g. "repairs.order:123": posting it twice finds the first one. A
    # database default too: the bill run's and the history import's INSERTs in SQL do not name it.
    source = models.CharField(_("来源"), max_length=64, blank=True, default="", db_default="")
    bill_run = models.ForeignKey(
        "billing.BillRun", null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["house_id", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "fee_item", "cycle_start"],
                condition=Q(kind="regular"),
                name="charge_once_per_payer_item_cycle",
            ),
            # A late fee is posted per principal and posting date: reposting the same day is a no-op.
            models.UniqueConstraint(
                fields=["principal", "period_end"], condition=Q(kind="late_fee"), name="late_fee_once_per_day"
            ),
            # A discount (billing.models.discounts) adjusts a charge once per source, however often applied.
            models.UniqueConstraint(
                F("principal"),
                KT("calculation__discount"),
                condition=Q(kind="adjustment", calculation__has_key="discount"),
                name="discount_once_per_principal",
            ),
            # A service charge is posted once per source however often its module retries.
            models.UniqueConstraint(
                fields=["source"], condition=Q(kind="service"), name="service_charge_once_per_source"
            ),
            # Cancelling a service charge reverses its unpaid remainder once, and what each refund or
            # void takes back from it once more (calculation.after: "refund:<id>", "void:<id>").
            models.UniqueConstraint(
                F("principal"),
                Coalesce(KT("calculation__after"), Value("")),
                condition=Q(kind="adjustment", calculation__has_key="cancel"),
                name="cancel_once_per_principal_and_reversal",
            ),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="charge_period_ordered"),
            models.CheckConstraint(condition=Q(due_date__gte=F("issued_on")), name="charge_due_after_issue"),
            models.CheckConstraint(
                condition=Q(kind="adjustment", amount__lt=0, principal__isnull=False)
                | Q(kind="late_fee", amount__gt=0, principal__isnull=False)
                | Q(kind="regular", amount__gte=0, principal__isnull=True)
                | (Q(kind="service", amount__gt=0, principal__isnull=True) & ~Q(source="")),
                name="charge_kind_shape",
            ),
            models.CheckConstraint(condition=Q(kind="service") | Q(source=""), name="charge_source_only_service"),
        ]
        indexes = [
            models.Index(fields=["estate", "due_date"]),
            models.Index(fields=["building", "due_date"]),
            models.Index(fields=["fee_item", "cycle_start"]),
            models.Index(fields=["bill_run"]),
        ]

    def __str__(self) -> str:
        return f"{self.house_id}/{self.fee_item_id}/{self.period_start}:{self.amount}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    POS = "pos", _("POS刷卡")
    TRANSFER = "transfer", _("银行转账")
    CHEQUE = "cheque", _("支票")
    WECHAT = "wechat", _("微信支付")
    CARD = "card", _("银行卡在线支付")
    BALANCE = "balance", _("预存款抵扣")
    DEPOSIT = "deposit", _("押金抵扣")
    # Collected in the previous system (HC) and imported with its history: not this desk's income.
    IMPORTED = "imported", _("历史导入")


# Money that came in from outside; balance and deposit draws move money already received.
RECEIVED_METHODS = frozenset({"cash", "pos", "transfer", "cheque", "wechat", "card"})
OFFLINE_METHODS = frozenset({"cash", "pos", "transfer", "cheque"})


class Payment(models.Model):
    """收款 — money received for a payer (or drawn from their prepaid balance or deposit).

    Its amount is spent exactly: allocations to charges, plus what went to the prepaid balance, plus
    a deposit received — a deferred trigger checks the sum when the transaction commits.
    """

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="payments")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("支付方式"), max_length=12, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    tendered = models.DecimalField(_("实收现金"), max_digits=12, decimal_places=2, null=True, blank=True)
    change = models.DecimalField(_("找零"), max_digits=12, decimal_places=2, null=True, blank=True)
    received_at = models.DateTimeField(_("收款时间"))
    business_date = models.DateField(_("营业日"))  # Asia/Shanghai date of received_at
    payer_name = models.CharField(_("缴款人"), max_length=50, blank=True, default="")
    reference = models.CharField(_("流水号"), max_length=64, blank=True, default="")
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    # The client's key for this payment: a retried request returns the first payment, not a second one.
    idempotency_key = models.CharField(max_length=64, unique=True)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shift = models.ForeignKey(
        "billing.CashierShift", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(tendered__isnull=True) | Q(tendered__gte=F("amount"), change=F("tendered") - F("amount")),
                name="payment_change_exact",
            ),
        ]
        indexes = [
            models.Index(fields=["house", "received_at"]),
            models.Index(fields=["business_date", "cashier"]),
            models.Index(fields=["estate", "business_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.method}:{self.amount}"


class Allocation(models.Model):
    """核销 — part of a payment applied to a charge. A reversal (refund, void) is a negative row.

    Triggers hold the ledger's rules in the database: what is allocated to a charge stays between
    zero and the charge's amount net of its adjustments, and an allocation may be reversed in parts
    (two partial refunds) but never by more than its amount, whatever the caller forgot.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True) | Q(amount__lt=0, reverses__isnull=False),
                name="allocation_sign_matches_reversal",
            ),
        ]
        indexes = [models.Index(fields=["charge"]), models.Index(fields=["payment"])]

    def __str__(self) -> str:
        return f"{self.payment_id}→{self.charge_id}:{self.amount}"


class BalanceEntryKind(models.TextChoices):
    TOP_UP = "top_up", _("预存")
    OVERPAYMENT = "overpayment", _("多缴转预存")
    APPLIED = "applied", _("抵扣费用")
    REFUND = "refund", _("退款")
    REVERSAL = "reversal", _("冲正")


class BalanceEntry(models.Model):
    """预存款流水 — a movement of a payer's prepaid balance; the balance is their sum and never negative."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="balance_entries")
    kind = models.CharField(_("类型"), max_length=12, choices=BalanceEntryKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="balance_entries"
    )
    refund = models.ForeignKey(
        "billing.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="balance_entries"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["house_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["top_up", "overpayment"], amount__gt=0)
                | Q(kind__in=["applied", "refund"], amount__lt=0)
                | (Q(kind="reversal") & ~Q(amount=0)),
                name="balance_entry_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["house", "id"])]

    def __str__(self) -> str:
        return f"{self.house_id} {self.kind} {self.amount}"


class ServiceCancellation(models.Model):
    """服务取消 — the service a service charge was for is called off (an activity sign-up cancelled, a
    repair fee replaced): its unpaid remainder is reversed at once, and whatever of it is refunded
    later is reversed with the refund (billing.services.service_charges), so a refunded fee is never
    owed again. One per charge, held by the key; it makes the cancellation idempotent."""

    charge = models.OneToOneField(Charge, primary_key=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"cancel {self.charge_id}"
