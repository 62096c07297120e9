"""Payment orders (支付订单), their lines, their events (the evidence trail) and the merchant settings.

An order moves only along TRANSITIONS: one service function (payments.services.orders.transition)
makes every move, and a database trigger (migration 0001) refuses any other UPDATE of `status`,
so a bug or a hand-written query cannot take a closed order to paid. Events are immutable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What an order pays for; each purpose's provider is registered through payments.bridge."""

    BILLS = "bills", _("物业账单")
    VENDOR_ORDERS = "vendor_orders", _("服务订单")


class PayerKind(models.TextChoices):
    HOUSE = "house", _("房屋")


class OrderStatus(models.TextChoices):
    CREATED = "created", _("已创建")
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    FAILED = "failed", _("支付失败")
    CLOSED = "closed", _("已关闭")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
    REFUNDED = "refunded", _("已退款")


# The only moves an order may make. created → failed: the gateway refused the prepay (or never
# heard of it); partially_refunded → refunded: the rest refunded later; closed → paid: only by
# reconciliation, with the provider's trade bill line showing it paid as evidence (the trigger of
# migration 0008 insists on that event, written before the move).
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("created", "pending"),
        ("created", "failed"),
        ("pending", "paid"),
        ("pending", "failed"),
        ("pending", "closed"),
        ("closed", "paid"),
        ("paid", "partially_refunded"),
        ("paid", "refunded"),
        ("partially_refunded", "refunded"),
    }
)
# Orders in these states hold their lines: nobody else may start paying those items meanwhile.
HOLDING = frozenset({"created", "pending"})


class Channel(models.TextChoices):
    """How the payer's device pays: inside WeChat (JSAPI, the mini-program) or in a mobile browser,
    on a page of the provider that returns to the app afterwards (WeChat Pay H5, a card page)."""

    JSAPI = "jsapi", _("小程序支付")
    H5 = "h5", _("浏览器支付")


class Settlement(models.TextChoices):
    """What became of a paid order's money on the purpose's side."""

    NONE = "", _("未入账")
    ALLOCATED = "allocated", _("已核销")
    REFUND_DUE = "refund_due", _("已被他处缴清，待退款")


class PaymentOrder(models.Model):
    """支付订单 — one attempt to pay an amount through a gateway, for items a payer chose.

    `out_trade_no` is generated once per attempt and stored before the gateway hears of it; a new
    attempt for the same items is a new order (the previous one is closed first).
    """

    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    payer_kind = models.CharField(_("付款方类型"), max_length=16, choices=PayerKind.choices)
    payer_id = models.BigIntegerField(_("付款方"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    description = models.CharField(_("商品描述"), max_length=127)
    gateway = models.CharField(_("支付渠道"), max_length=16)
    channel = models.CharField(_("支付方式"), max_length=8, choices=Channel.choices, default=Channel.JSAPI)
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    out_trade_no = models.CharField(_("商户订单号"), max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    gateway_reference = models.CharField(_("渠道交易号"), max_length=64, blank=True, default="")
    prepay_id = models.CharField(max_length=128, blank=True, default="")
    # What the app pays with: never an API secret (a card intent's client_secret is meant for its payer).
    client_params = models.JSONField(default=dict, blank=True)
    payer_account = models.CharField(_("付款账号"), max_length=128, blank=True, default="")  # the openid
    payer_ip = models.GenericIPAddressField(_("付款终端 IP"), null=True, blank=True)  # H5: WeChat Pay asks for it
    expires_at = models.DateTimeField(_("支付截止"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    settlement = models.CharField(
        _("入账"), max_length=12, choices=Settlement.choices, default=Settlement.NONE, blank=True
    )
    settled_reference = models.CharField(_("入账凭据"), max_length=64, blank=True, default="")  # e.g. payment id
    refunded_amount = models.DecimalField(_("已退金额"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_order_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OrderStatus]), name="payment_order_status_known"
            ),
            models.CheckConstraint(
                condition=Q(out_trade_no__regex=r"^[0-9A-Za-z_*-]{6,32}$"), name="payment_order_out_trade_no_shape"
            ),
            # Paid (or refunded after it): the gateway's transaction and the moment are known.
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "partially_refunded", "refunded"])
                | (Q(paid_at__isnull=False) & ~Q(gateway_reference="")),
                name="payment_order_paid_has_evidence",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]), name="payment_order_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payment_order_refund_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["payer_kind", "payer_id", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.status} {self.amount}"

    @property
    def amount_fen(self) -> int:
        return int(self.amount * 100)


class PaymentOrderLine(models.Model):
    """One item an order pays (a charge for bills): what it owed when quoted, and the late fee then
    accruing on it. While the order is created or pending the line holds its item: a partial unique
    index lets no second live order take the same item."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="lines")
    # The order's purpose, kept on the line: items of different purposes are numbered apart (charge
    # 5 and service order 5 are not the same item), so the hold is per purpose.
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.BILLS)
    item_id = models.BigIntegerField(_("项目"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    late_fee = models.DecimalField(_("滞纳金"), max_digits=12, decimal_places=2, default=0)
    label = models.CharField(max_length=200, blank=True, default="")
    holds = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "item_id"], condition=Q(holds=True), name="payment_line_held_once_per_purpose"
            ),
            models.UniqueConstraint(fields=["order", "item_id"], name="payment_line_once_per_order"),
            models.CheckConstraint(condition=Q(amount__gte=0, late_fee__gte=0), name="payment_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.item_id} {self.amount}+{self.late_fee}"


class PaymentEvent(models.Model):
    """支付事件 — one move of an order, with its evidence: the verified notification, the query
    result or the gateway's answer that justified it. Immutable (a trigger refuses UPDATE/DELETE)."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    source = models.CharField(max_length=20)  # api, notification, query, sweeper, gateway
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"])]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status}→{self.to_status} ({self.source})"


class MerchantAccount(models.Model):
    """特约商户 — the company as a WeChat Pay sub-merchant of the platform (one row per company).
    Its mini-program (sub_appid) and secret are the company's WeChat credentials (companies.Company)."""

    singleton = models.BooleanField(default=True, unique=True)
    sub_mchid = models.CharField(_("特约商户号"), max_length=32, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="merchant_account_single")]

    def __str__(self) -> str:
        return self.sub_mchid


class GatewayEvent(models.Model):
    """A provider's event (a Stripe event), kept in the transaction of its effect: its id makes a
    second delivery — even a concurrent one — change nothing."""

    gateway = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="gateway_events")
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id} {self.type}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("对账中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ReconciliationRun(models.Model):
    """对账 — one day's reconciliation of a gateway's trade bill against our orders (Asia/Shanghai day).

    One row per (gateway, day): running it again replaces its items. `attempt` names the current
    run of it, so a late or repeated delivery of an earlier one writes nothing. The figures are what
    each side said that day: the bill's payments and refunds, and ours."""

    gateway = models.CharField(_("支付渠道"), max_length=16)
    bill_date = models.DateField(_("账单日期"))
    status = models.CharField(_("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    attempt = models.PositiveIntegerField(default=1)
    bill_exists = models.BooleanField(_("有账单"), default=True)
    provider_payments = models.PositiveIntegerField(_("渠道支付笔数"), default=0)
    provider_paid_total = models.DecimalField(_("渠道支付金额"), max_digits=14, decimal_places=2, default=0)
    provider_refunds = models.PositiveIntegerField(_("渠道退款笔数"), default=0)
    provider_refund_total = models.DecimalField(_("渠道退款金额"), max_digits=14, decimal_places=2, default=0)
    our_payments = models.PositiveIntegerField(_("本地支付笔数"), default=0)
    our_paid_total = models.DecimalField(_("本地支付金额"), max_digits=14, decimal_places=2, default=0)
    our_refunds = models.PositiveIntegerField(_("本地退款笔数"), default=0)
    our_refund_total = models.DecimalField(_("本地退款金额"), max_digits=14, decimal_places=2, default=0)
    error = models.CharField(_("错误"), max_length=500, blank=True, default="")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-bill_date", "gateway"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "bill_date"], name="reconciliation_run_once_per_day"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RunStatus]), name="reconciliation_run_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.bill_date} {self.status}"


class ItemKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("渠道有、本地无")
    MISSING_THERE = "missing_there", _("本地有、渠道无")
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")
    STATUS_MISMATCH = "status_mismatch", _("状态不符")
    HEALED = "healed", _("已按渠道查询补记")


class ReconciliationItem(models.Model):
    """对账差异 — one difference a run found (or one it healed), with what each side said."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("差异类型"), max_length=16, choices=ItemKind.choices)
    entry = models.CharField(_("单据"), max_length=8, default="payment")  # payment | refund
    out_trade_no = models.CharField(_("商户订单号"), max_length=32)
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, blank=True, default="")
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider_amount = models.DecimalField(_("渠道金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    our_amount = models.DecimalField(_("本地金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    provider_state = models.CharField(_("渠道状态"), max_length=20, blank=True, default="")
    our_state = models.CharField(_("本地状态"), max_length=20, blank=True, default="")
    evidence = models.JSONField(default=dict, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.CharField(_("处理说明"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ItemKind]), name="reconciliation_item_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(note=""), name="reconciliation_item_resolved_with_note"
            ),
        ]
        indexes = [models.Index(fields=["run", "kind"])]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.kind} {self.out_trade_no}"


class RefundStatus(models.TextChoices):
    PROCESSING = "processing", _("退款中")
    REFUNDED = "refunded", _("已退款")
    FAILED = "failed", _("退款失败")  # the gateway refused it, or it ended ABNORMAL
    CLOSED = "closed", _("退款关闭")  # the gateway closed it (CLOSED)


class RefundSource(models.TextChoices):
    LOST_RACE = "lost_race", _("重复缴费自动退款")  # the items were paid elsewhere meanwhile
    PURPOSE = "purpose", _("退款申请")  # the purpose asked (billing's approved refund)


# A refund moves only along these (a trigger holds them, migration 0003); failed and closed are final
# and hold no money: the purpose may ask again (a new refund number).
REFUND_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {("processing", "refunded"), ("processing", "failed"), ("processing", "closed")}
)
REFUND_LIVE = frozenset({RefundStatus.PROCESSING, RefundStatus.REFUNDED})  # money promised or gone


class PaymentRefund(models.Model):
    """支付退款 — money of a paid order going back through its gateway, numbered by `out_refund_no`
    (stored before the gateway hears of it; sending it again is the same refund). An order may be
    refunded in parts; the database keeps the live refunds of an order within its amount."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, unique=True)
    amount = models.DecimalField(_("退款金额"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("退款原因"), max_length=80)
    status = models.CharField(_("状态"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PROCESSING)
    gateway_reference = models.CharField(_("渠道退款单号"), max_length=64, blank=True, default="")
    source = models.CharField(_("来源"), max_length=12, choices=RefundSource.choices)
    purpose_reference = models.CharField(_("业务单据"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RefundStatus]), name="payment_refund_status_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in RefundSource]), name="payment_refund_source_known"
            ),
            models.CheckConstraint(
                condition=Q(out_refund_no__regex=r"^[0-9A-Za-z_*@|-]{1,64}$"), name="payment_refund_out_refund_no_shape"
            ),
            models.CheckConstraint(
                condition=Q(source="lost_race", purpose_reference="")
                | (Q(source="purpose") & ~Q(purpose_reference="")),
                name="payment_refund_source_shape",
            ),
            # One live refund per purpose document (a failed one may be asked again), one lost race.
            models.UniqueConstraint(
                fields=["order", "purpose_reference"],
                condition=Q(status__in=["processing", "refunded"], source="purpose"),
                name="payment_refund_live_once_per_reference",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["processing", "refunded"], source="lost_race"),
                name="payment_refund_lost_race_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.out_refund_no} {self.status} {self.amount}"

    @property
    def amount_fen(self) -> int:
        return int(self.amount * 100)


class PaymentRefundEvent(models.Model):
    """退款事件 — one move of a refund with its evidence (the gateway's answer, the verified
    notification, the query). Immutable, like PaymentEvent."""

    refund = models.ForeignKey(PaymentRefund, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    source = models.CharField(max_length=20)  # api, gateway, notification, sweeper
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["refund", "id"])]

    def __str__(self) -> str:
        return f"{self.refund_id}: {self.from_status}→{self.to_status} ({self.source})"


class RefusedNotification(models.Model):
    """拒收的通知 — a notification refused (signature, merchant, order, mismatch), kept 30 days for
    whoever investigates. Nothing it claims is stored: only what we know of the request itself."""

    gateway = models.CharField(max_length=16)
    reason = models.CharField(max_length=32)  # a code (RefusalReason), never the sender's text
    status_code = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64)
    body_size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reason} {self.received_at:%Y-%m-%d %H:%M}"
