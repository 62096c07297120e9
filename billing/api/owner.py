"""The owner's bills in the mini-program (`owner.self`), only for the houses they are bound to now.

Each answer is a fixed handful of indexed queries by house, whatever the ledger's size: the owner's
houses (one), their lines with what each still owes (one), balances (one), late fees accruing (a few
per house; an owner has one or two).
"""

from __future__ import annotations

import decimal
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api.common import money_field
from billing.api.payments import PDF_RENDERERS, PDF_RESPONSE, pdf_response, receipt_of
from billing.models import Charge, Payment, Receipt
from billing.outstanding import ChargeStatus
from billing.selectors import ledger
from billing.selectors import owner as selectors

PERMISSION = "owner.self"
ZERO = Decimal("0.00")
PAID_LINES_DAYS = 400  # paid lines shown: periods ending in the last year or so

HOUSE_PARAMETER = OpenApiParameter(
    "house", int, required=False, description="One of the owner's houses; all if absent."
)


class OwnerPrincipalSerializer(serializers.Serializer[Any]):
    """The bill a late fee is the late fee of: its fee item and period."""

    id = serializers.IntegerField()
    fee_item_name = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Exclusive.")


class OwnerLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    fee_item_name = serializers.CharField()
    kind = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    amount = money_field(help_text="Net of waivers.")
    paid = money_field()
    outstanding = money_field()
    status = serializers.ChoiceField(choices=ChargeStatus.CHOICES)
    explanation = serializers.CharField()
    payable_online = serializers.BooleanField()
    principal = OwnerPrincipalSerializer(allow_null=True, help_text="On a late fee (滞纳金): the bill it is for.")


class AccruingSerializer(serializers.Serializer[Any]):
    principal = serializers.IntegerField()
    fee_item_name = serializers.CharField()
    period_start = serializers.DateField(help_text="The principal's period.")
    period_end = serializers.DateField(help_text="The principal's period (exclusive).")
    amount = money_field()
    explanation = serializers.CharField()


class OwnerTotalsSerializer(serializers.Serializer[Any]):
    due = money_field(help_text="Not yet overdue.")
    overdue = money_field()
    late_fees_accruing = money_field(help_text="Posted when paid.")
    to_pay = money_field(help_text="Everything to pay today, less nothing: the prepaid balance is drawn separately.")


class OwnerHouseBillsSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField()
    house_label = serializers.CharField()
    estate_name = serializers.CharField()
    due = OwnerLineSerializer(many=True)
    overdue = OwnerLineSerializer(many=True)
    paid = OwnerLineSerializer(many=True)
    late_fees_accruing = AccruingSerializer(many=True)
    totals = OwnerTotalsSerializer()
    balance = money_field(help_text="Prepaid balance (预存款).")


def _wanted_house(request: Request) -> int | None:
    raw = request.query_params.get("house")
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise ValidationError({"house": [_("请输入整数。")]}) from None


def _house_ids(request: Request) -> list[int]:
    """The owner's bound houses, or the one asked for (404 unless it is one of them)."""
    mine = selectors.owner_house_ids(request.user)
    wanted = _wanted_house(request)
    if wanted is None:
        return mine
    if wanted not in mine:
        raise NotFound()
    return [wanted]


def _line(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "fee_item_name": charge.fee_item.name,
        "kind": charge.kind,
        "period_start": charge.period_start,
        "period_end": charge.period_end,
        "due_date": charge.due_date,
        "amount": charge.net,  # type: ignore[attr-defined]  # annotated by the selector
        "paid": charge.paid,  # type: ignore[attr-defined]
        "outstanding": charge.outstanding,  # type: ignore[attr-defined]
        "status": charge.status,  # type: ignore[attr-defined]
        "explanation": "；".join([ledger.explain(charge), *getattr(charge, "adjustment_notes", [])]),
        "payable_online": charge.fee_item.payable_online,
        "principal": _principal(charge),
    }


def _principal(charge: Charge) -> dict[str, Any] | None:
    period = getattr(charge, "principal_period", None)  # owner_lines: only a late fee has one
    if charge.principal_id is None or period is None:
        return None
    # A late fee is posted under its principal's fee item (billing.services.late_fees).
    return {
        "id": charge.principal_id,
        "fee_item_name": charge.fee_item.name,
        "period_start": period[0],
        "period_end": period[1],
    }


def _note_adjustments(lines: list[Charge]) -> None:
    """Each line's discounts and reductions (优惠/减免), in words after its own explanation — the rule or
    reason and the amount off: one query for all lines."""
    adjustments = selectors.adjustments_of([c.pk for c in lines])
    for charge in lines:
        charge.adjustment_notes = [  # type: ignore[attr-defined]
            _("%(reason)s −%(amount)s 元") % {"reason": reason or _("减免"), "amount": -amount}
            for amount, reason in adjustments.get(charge.pk, [])
        ]


def owner_bills(request: Request) -> list[dict[str, Any]]:
    """Three queries in all (the houses with their balances, their lines, the lines' discounts), whatever the ledger.
    Amounts are Decimals and dates dates here; OwnerBills writes them as OwnerHouseBillsSerializer would."""
    today = timezone.localdate()
    wanted = _wanted_house(request)
    houses = selectors.owner_houses(request.user, None if wanted is None else [wanted])
    if wanted is not None and not houses:
        raise NotFound()
    lines = selectors.owner_lines(
        [h.pk for h in houses], paid_since=today - timedelta(days=PAID_LINES_DAYS), as_of=today
    )
    _note_adjustments(lines)
    by_house: dict[int, list[Charge]] = {h.pk: [] for h in houses}
    for charge in lines:
        by_house[charge.house_id].append(charge)
    result = []
    for house in houses:
        mine = by_house[house.pk]
        due: list[dict[str, Any]] = [_line(c) for c in mine if c.status in ("unpaid", "partial")]  # type: ignore[attr-defined]
        overdue: list[dict[str, Any]] = [_line(c) for c in mine if c.status == "overdue"]  # type: ignore[attr-defined]
        paid = [_line(c) for c in reversed(mine) if c.status == "paid"]  # type: ignore[attr-defined]
        accruing: list[dict[str, Any]] = [
            {
                "principal": charge.pk,
                "fee_item_name": charge.fee_item.name,
                "period_start": charge.period_start,
                "period_end": charge.period_end,
                "amount": amount,
                "explanation": _("逾期 %(days)s 天滞纳金（缴费时入账）") % {"days": (today - charge.due_date).days},
            }
            for charge, amount in selectors.accruing_late_fees(mine, as_of=today)
        ]
        totals: dict[str, Decimal] = {
            "due": sum((line["outstanding"] for line in due), ZERO),
            "overdue": sum((line["outstanding"] for line in overdue), ZERO),
            "late_fees_accruing": sum((a["amount"] for a in accruing), ZERO),
        }
        totals["to_pay"] = totals["due"] + totals["overdue"] + totals["late_fees_accruing"]
        result.append(
            {
                "house": house.pk,
                "house_label": house.label,
                "estate_name": house.estate_name,
                "due": due,
                "overdue": overdue,
                "paid": paid,
                "late_fees_accruing": accruing,
                "totals": totals,
                "balance": house.balance,
            }
        )
    return result


# --- writing the answer: what OwnerHouseBillsSerializer(many=True).data gives, without building its
# fields per line (a DRF serializer costs ~10 µs per field; this answer has ~12 per line).

CENT = Decimal("0.01")
_MONEY_CONTEXT = decimal.Context(prec=14)  # as money_field: max_digits=14, decimal_places=2


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, context=_MONEY_CONTEXT):f}"


def _wire_line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": line["id"],
        "fee_item_name": str(line["fee_item_name"]),
        "kind": str(line["kind"]),
        "period_start": line["period_start"].isoformat(),
        "period_end": line["period_end"].isoformat(),
        "due_date": line["due_date"].isoformat(),
        "amount": _money(line["amount"]),
        "paid": _money(line["paid"]),
        "outstanding": _money(line["outstanding"]),
        "status": str(line["status"]),
        "explanation": str(line["explanation"]),
        "payable_online": bool(line["payable_online"]),
        "principal": _wire_principal(line["principal"]),
    }


def _wire_principal(principal: dict[str, Any] | None) -> dict[str, Any] | None:
    if principal is None:
        return None
    return {
        "id": principal["id"],
        "fee_item_name": str(principal["fee_item_name"]),
        "period_start": principal["period_start"].isoformat(),
        "period_end": principal["period_end"].isoformat(),
    }


def _wire(house: dict[str, Any]) -> dict[str, Any]:
    return {
        "house": house["house"],
        "house_label": str(house["house_label"]),
        "estate_name": str(house["estate_name"]),
        "due": [_wire_line(line) for line in house["due"]],
        "overdue": [_wire_line(line) for line in house["overdue"]],
        "paid": [_wire_line(line) for line in house["paid"]],
        "late_fees_accruing": [
            {
                "principal": a["principal"],
                "fee_item_name": str(a["fee_item_name"]),
                "period_start": a["period_start"].isoformat(),
                "period_end": a["period_end"].isoformat(),
                "amount": _money(a["amount"]),
                "explanation": str(a["explanation"]),
            }
            for a in house["late_fees_accruing"]
        ],
        "totals": {key: _money(value) for key, value in house["totals"].items()},
        "balance": _money(house["balance"]),
    }


class OwnerBills(APIView):
    """我的账单: per bound house, lines due, overdue and paid (each explained), totals, prepaid balance."""

    required_permission = PERMISSION
    error_statuses = {"get": [404]}  # ?house= is not one of the owner's houses

    @extend_schema(parameters=[HOUSE_PARAMETER], responses=OwnerHouseBillsSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([_wire(house) for house in owner_bills(request)])


class OwnerPaymentLineSerializer(serializers.Serializer[Any]):
    fee_item_name = serializers.CharField(source="charge.fee_item.name")
    period_start = serializers.DateField(source="charge.period_start")
    period_end = serializers.DateField(source="charge.period_end")
    amount = money_field()


class OwnerPaymentSerializer(serializers.ModelSerializer[Payment]):
    house_label = serializers.CharField(source="house.label", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True, help_text="现金, 微信支付…")
    receipt_id = serializers.SerializerMethodField()
    receipt_number = serializers.SerializerMethodField()
    voided = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    refund_state = serializers.SerializerMethodField()
    refunded_amount = serializers.SerializerMethodField()
    refunding_amount = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "house",
            "house_label",
            "method",
            "method_label",
            "amount",
            "received_at",
            "receipt_id",
            "receipt_number",
            "voided",
            "lines",
            "refund_state",
            "refunded_amount",
            "refunding_amount",
        ]
        read_only_fields = fields

    def _refunds(self, payment: Payment) -> selectors.PaymentRefunds:
        found = self.context.get("refunds")
        if found is None:
            found = selectors.payment_refunds([payment.pk])
        return found.get(payment.pk) or selectors.PaymentRefunds(refunded=Decimal("0.00"), refunding=Decimal("0.00"))

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["", *selectors.PAYMENT_REFUND_STATES],
            help_text="退款中 (some on its way back) · 已退款 (all of it back) · 部分退款 · blank: none.",
        )
    )
    def get_refund_state(self, payment: Payment) -> str:
        return self._refunds(payment).state(payment.amount)

    @extend_schema_field(money_field(help_text="Back with the payer."))
    def get_refunded_amount(self, payment: Payment) -> str:
        return f"{self._refunds(payment).refunded:.2f}"

    @extend_schema_field(money_field(help_text="Approved, on its way back through the channel."))
    def get_refunding_amount(self, payment: Payment) -> str:
        return f"{self._refunds(payment).refunding:.2f}"

    def _receipt(self, payment: Payment) -> Receipt | None:
        return receipt_of(payment)

    def get_receipt_id(self, payment: Payment) -> int | None:
        receipt = self._receipt(payment)
        return receipt.pk if receipt else None

    def get_receipt_number(self, payment: Payment) -> str:
        receipt = self._receipt(payment)
        return str(receipt.number) if receipt else ""

    def get_voided(self, payment: Payment) -> bool:
        receipt = self._receipt(payment)
        return bool(receipt and receipt.voided_at)

    @extend_schema_field(OwnerPaymentLineSerializer(many=True))
    def get_lines(self, payment: Payment) -> list[dict[str, Any]]:
        lines = self.context.get("lines", {}).get(payment.pk, [])
        return list(OwnerPaymentLineSerializer(lines, many=True).data)


class OwnerPaymentHistory(generics.ListAPIView[Payment]):
    """缴费记录: the owner's payments, newest first, each with the lines it paid and its refunds."""

    required_permission = PERMISSION
    serializer_class = OwnerPaymentSerializer
    filter_backends: list[Any] = []
    error_statuses = {"get": [404]}  # ?house= is not one of the owner's houses

    @extend_schema(parameters=[HOUSE_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.owner_payments(_house_ids(self.request))

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], list):
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["lines"] = ledger.payment_lines([p.pk for p in args[0]])
            kwargs["context"]["refunds"] = selectors.payment_refunds([p.pk for p in args[0]])
        return super().get_serializer(*args, **kwargs)


class OwnerReceiptPdf(APIView):
    """A receipt of one of the owner's houses as a PDF (404 for any other receipt)."""

    required_permission = PERMISSION
    renderer_classes = PDF_RENDERERS

    @extend_schema(responses=PDF_RESPONSE)
    def get(self, request: Request, receipt_id: int) -> HttpResponse:
        receipt = selectors.owner_receipt(request.user, receipt_id)
        if receipt is None:
            raise NotFound()
        return pdf_response(receipt)


PATHS = [
    path("owner/bills/", OwnerBills.as_view(), name="owner-bills"),
    path("owner/bills/history/", OwnerPaymentHistory.as_view(), name="owner-bill-history"),
    path("owner/receipts/<int:receipt_id>/pdf/", OwnerReceiptPdf.as_view(), name="owner-receipt-pdf"),
]
