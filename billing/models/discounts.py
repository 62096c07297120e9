"""Discount rules (优惠规则) and what they produce: prepayments at the desk (预缴优惠) and vacancy
discounts (空置房优惠) approved for a house and a date range.

A discount never changes a charge: it is an ADJUSTMENT line (negative, pointing at its principal)
whose `calculation` names its source under the key "discount" ("rule:3", "vacancy:12"); a partial
unique index on (principal, that key) lets each source discount a charge once, so a repeated bill
run or a retried request cannot add a second line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.fees import FeeItem
from billing.models.ledger import Payment
from billing.models.operations import RequestStatus
from tenants.estates.models import House


class DiscountKind(models.TextChoices):
    PREPAY_PERCENT = "prepay_percent", _("预缴折扣")
    PREPAY_FREE_CYCLES = "prepay_free_cycles", _("预缴赠送周期")
    VACANCY = "vacancy", _("空置房优惠")
    FIXED = "fixed", _("固定金额减免")


PREPAY_KINDS = (DiscountKind.PREPAY_PERCENT, DiscountKind.PREPAY_FREE_CYCLES)


class DiscountRule(models.Model):
    """优惠规则 — a discount a company offers on some fee items over [valid_from, valid_until).

    - prepay_percent: prepaying ≥ min_cycles cycles takes `percent`% off those cycles' charges (95折 = 5);
    - prepay_free_cycles: prepaying ≥ min_cycles cycles adds `free_cycles` more cycles free (买12送1);
    - vacancy: a vacant house's charges in an approved period are `percent`% off (50 = 半价);
    - fixed: `amount` yuan off one charge, for the rule's `reason` (applied as a reduction).
    """

    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DiscountKind.choices)
    fee_items = models.ManyToManyField(FeeItem, related_name="discount_rules", verbose_name=_("适用收费项目"))
    percent = models.DecimalField(_("优惠比例(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("减免金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    min_cycles = models.PositiveSmallIntegerField(_("最少预缴周期"), null=True, blank=True)
    free_cycles = models.PositiveSmallIntegerField(_("赠送周期"), null=True, blank=True)
    reason = models.CharField(_("减免原因"), max_length=200, blank=True, default="")
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)  # exclusive
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="prepay_percent",
                    percent__gt=0,
                    percent__lte=100,
                    min_cycles__gte=1,
                    amount__isnull=True,
                    free_cycles__isnull=True,
                )
                | Q(
                    kind="prepay_free_cycles",
                    min_cycles__gte=1,
                    free_cycles__gte=1,
                    percent__isnull=True,
                    amount__isnull=True,
                )
                | Q(
                    kind="vacancy",
                    percent__gt=0,
                    percent__lte=100,
                    amount__isnull=True,
                    min_cycles__isnull=True,
                    free_cycles__isnull=True,
                )
                | (
                    Q(
                        kind="fixed",
                        amount__gt=0,
                        percent__isnull=True,
                        min_cycles__isnull=True,
                        free_cycles__isnull=True,
                    )
                    & ~Q(reason="")
                ),
                name="discount_rule_kind_shape",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="discount_rule_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Prepayment(models.Model):
    """预缴 — future cycles of a fee item issued and paid at the desk, with the prepay rule applied."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="prepayments")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+")
    cycles = models.PositiveSmallIntegerField(_("预缴周期数"))
    free_cycles = models.PositiveSmallIntegerField(_("赠送周期数"), default=0)
    rule = models.ForeignKey(DiscountRule, null=True, blank=True, on_delete=models.PROTECT, related_name="prepayments")
    period_start = models.DateField(_("开始"))
    period_end = models.DateField(_("结束"))  # exclusive
    gross = models.DecimalField(_("应收合计"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("优惠合计"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("实收合计"), max_digits=12, decimal_places=2)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="prepayment")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(cycles__gte=1), name="prepayment_cycles_positive"),
            models.CheckConstraint(
                condition=Q(discount__gte=0, total__gt=0, total=F("gross") - F("discount")),
                name="prepayment_total_exact",
            ),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="prepayment_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.house_id} {self.fee_item_id} ×{self.cycles} {self.total}"


class VacancyDiscount(models.Model):
    """空置房优惠申请 — a vacancy rule for one house and fee item over [start, end), applied once approved:
    to the charges already issued in the range, and by every later bill run to the ones it issues."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="vacancy_discounts")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(DiscountRule, on_delete=models.PROTECT, related_name="vacancies")
    start = models.DateField(_("空置开始"))
    end = models.DateField(_("空置结束"))  # exclusive
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
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
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="vacancy_period_ordered"),
            models.CheckConstraint(condition=~Q(reason=""), name="vacancy_has_reason"),
        ]
        indexes = [models.Index(fields=["house", "fee_item", "status"])]

    def __str__(self) -> str:
        return f"{self.house_id} {self.fee_item_id} [{self.start}, {self.end}) {self.status}"
