"""服务订单 — an owner's order with a vendor the company admitted: a housekeeping booking in one of
the vendor's time slots, or a merchant's goods for delivery or pickup."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class OrderStatus(models.TextChoices):
    UNPAID = "unpaid", _("待支付")
    BOOKED = "booked", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    IN_SERVICE = "in_service", _("服务中")
    DONE = "done", _("已完成")
    RATED = "rated", _("已评价")
    CANCELLED = "cancelled", _("已取消")


# The only moves an order makes (services.orders._move is the one place that makes them).
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("unpaid", "booked"),  # paid (or nothing to pay now: a quoted price)
        ("unpaid", "cancelled"),  # the owner gave up, or the payment window ran out
        ("booked", "confirmed"),
        ("booked", "cancelled"),
        ("confirmed", "in_service"),
        ("confirmed", "cancelled"),
        ("in_service", "done"),
        ("in_service", "cancelled"),  # by the company only: its vendor cannot finish (suspended)
        ("done", "rated"),
    }
)
# The order is under way: the vendor sees the owner's phone and address in full.
LIVE = frozenset({OrderStatus.BOOKED, OrderStatus.CONFIRMED, OrderStatus.IN_SERVICE})
ENDED = frozenset({OrderStatus.DONE, OrderStatus.RATED, OrderStatus.CANCELLED})


# The order's copy of its offering's price mode (partners' PriceMode): a quoted price is agreed at
# the door and given when the order is completed.
QUOTED = "quoted"


class Fulfilment(models.TextChoices):
    AT_HOME = "at_home", _("上门服务")
    DELIVERY = "delivery", _("送货上门")
    PICKUP = "pickup", _("到店自提")


class CancelledBy(models.TextChoices):
    OWNER = "owner", _("业主")
    VENDOR = "vendor", _("服务商")
    COMPANY = "company", _("物业")
    SYSTEM = "system", _("系统")


class RefundState(models.TextChoices):
    """What staff see of a cancelled paid order's money (not stored: read off payments' refunds)."""

    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    FAILED = "failed", _("退款失败")  # the channel failed or closed it: to be asked again


class VendorOrder(models.Model):
    # The vendor, offering and slot are rows of the public schema (partners): ids and a copy of
    # what the owner agreed to, so a later change of the catalogue leaves the order as booked.
    vendor_id = models.BigIntegerField()
    vendor_name = models.CharField(_("服务商"), max_length=100)
    offering_id = models.BigIntegerField()
    offering_name = models.CharField(_("服务项目"), max_length=100)
    price_mode = models.CharField(max_length=16)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)  # the admission's, when booked
    fulfilment = models.CharField(max_length=16, choices=Fulfilment.choices)
    slot_id = models.BigIntegerField(null=True, blank=True)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = EncryptedTextField(_("联系电话"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.UNPAID)
    version = models.PositiveIntegerField(default=1)
    payment_reference = models.CharField(max_length=64, blank=True)  # the payment order that paid it
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cancelled_by = models.CharField(max_length=16, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    # The owner's complaint about the vendor for this order: an item of the company's 投诉建议, handled
    # there like any other complaint.
    complaint = models.OneToOneField(
        "feedback.Feedback", null=True, blank=True, on_delete=models.PROTECT, related_name="vendor_order"
    )
    created_at = models.DateTimeField(default=timezone.now)
    pay_by = models.DateTimeField()  # an unpaid order is cancelled and its place freed after this
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务订单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], name="vendor_order_once_per_key"),
            models.CheckConstraint(condition=Q(amount__gte=0, refunded__gte=0), name="vendor_order_money"),
            models.CheckConstraint(condition=Q(refunded__lte=models.F("amount")), name="vendor_order_refund_bound"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="vendor_order_rating"
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in OrderStatus]), name="vendor_order_status"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="vendor_order_owner"),
            models.Index(fields=["status", "pay_by"], name="vendor_order_unpaid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"FW{self.created_at:%Y%m%d}{self.pk:06d}"
