"""The partner portal's orders: every order of the companies that admit the vendor now, in one list
(partners.selectors.vendor_orders: one query whatever the number of companies), and the vendor's
moves of one — confirm, start, complete, cancel with a reason — made in the company's schema by
partners.services.portal_orders after it checked the admission."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.masking import mask_phone
from partners import selectors
from partners.api.pagination import PageAndCountPagination
from partners.api.portal import PartnerView
from partners.models import PortalOrder
from partners.services import portal_orders

LIVE = ("booked", "confirmed", "in_service")


class PartnerOrderSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company_slug", read_only=True)
    company_name = serializers.CharField(source="company_label", read_only=True)
    contact_phone = serializers.SerializerMethodField(help_text="In full while the order is under way, masked after.")

    class Meta:
        model = PortalOrder
        fields = [
            "id",
            "company",
            "company_name",
            "number",
            "status",
            "offering_name",
            "price_mode",
            "fulfilment",
            "quantity",
            "amount",
            "refunded",
            "commission_rate",
            "scheduled_start",
            "scheduled_end",
            "estate_name",
            "address",
            "contact_name",
            "contact_phone",
            "note",
            "rating",
            "rating_comment",
            "created_at",
            "paid_at",
            "completed_at",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]
        read_only_fields = fields

    def get_contact_phone(self, order: PortalOrder) -> str:
        phone = order.contact_phone or ""
        return phone if order.status in LIVE else mask_phone(phone)

    def to_representation(self, order: PortalOrder) -> dict[str, Any]:
        """The fields above exactly as DRF renders them (tests.platform.partners.test_order_list
        compares the two), written out: the list renders 20 rows a request, and DRF's field-by-field
        path (building the fields from the model, then a lookup and a conversion per value) was a
        quarter of the list's own time (tests.bench.partners)."""
        zone = timezone.get_current_timezone()
        return {
            "id": order.pk,
            "company": order.company_slug,  # type: ignore[attr-defined]  # selectors.vendor_orders annotates
            "company_name": order.company_label,  # type: ignore[attr-defined]
            "number": order.number,
            "status": order.status,
            "offering_name": order.offering_name,
            "price_mode": order.price_mode,
            "fulfilment": order.fulfilment,
            "quantity": order.quantity,
            "amount": _decimal(order.amount, CENTS),
            "refunded": _decimal(order.refunded, CENTS),
            "commission_rate": _decimal(order.commission_rate, RATE),
            "scheduled_start": _datetime(order.scheduled_start, zone),
            "scheduled_end": _datetime(order.scheduled_end, zone),
            "estate_name": order.estate_name,
            "address": order.address,
            "contact_name": order.contact_name,
            "contact_phone": self.get_contact_phone(order),
            "note": order.note,
            "rating": order.rating,
            "rating_comment": order.rating_comment,
            "created_at": _datetime(order.created_at, zone),
            "paid_at": _datetime(order.paid_at, zone),
            "completed_at": _datetime(order.completed_at, zone),
            "cancelled_at": _datetime(order.cancelled_at, zone),
            "cancelled_by": order.cancelled_by,
            "cancel_reason": order.cancel_reason,
        }


CENTS = Decimal("0.01")  # PortalOrder's amounts: decimal_places=2
RATE = Decimal("0.0001")  # its commission_rate: decimal_places=4


def _decimal(value: Decimal, places: Decimal) -> str:
    """As serializers.DecimalField renders a model's decimal: fixed-point, to the field's places."""
    return f"{value.quantize(places):f}"


def _datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """As serializers.DateTimeField renders an aware datetime: ISO 8601 in the current time zone."""
    if value is None:
        return None
    shown = value.astimezone(zone).isoformat()
    return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


STATUS = OpenApiParameter("status", str, required=False, description="One order status (booked, confirmed…)")
COMPANY = OpenApiParameter("company", str, required=False, description="One company's slug")


class PartnerOrderList(PartnerView, generics.ListAPIView):
    """订单: newest first, across every company that admits the vendor now."""

    required_permission = "partner.view"
    serializer_class = PartnerOrderSerializer
    pagination_class = PageAndCountPagination

    def _filters(self) -> dict[str, str]:
        params = self.request.query_params
        return {"status": params.get("status", "")[:16], "company_slug": params.get("company", "")[:30]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PortalOrder.objects.none()
        rows = selectors.vendor_orders(self.request.user.vendor)
        wanted = self._filters()
        if wanted["status"]:
            rows = rows.filter(status=wanted["status"])
        if wanted["company_slug"]:
            rows = rows.filter(company__slug=wanted["company_slug"])
        return rows

    def page_and_count(self, *, limit: int, offset: int) -> list[PortalOrder]:
        """The page of get_queryset's rows, each with the count of them all (PageAndCountPagination)."""
        vendor = self.request.user.vendor  # type: ignore[union-attr]  # PartnerView: a VendorAccount
        return selectors.vendor_order_page(vendor, limit=limit, offset=offset, **self._filters())

    def list(self, request, *args, **kwargs):
        """ListModelMixin.list with the queryset built only if the paginator needs it."""
        rows = self.paginator.paginate_queryset(lambda: self.filter_queryset(self.get_queryset()), request, view=self)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(parameters=[STATUS, COMPANY])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderMoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Completing a quoted order (price_mode quoted): the price agreed at the door, for the owner to pay.",
    )


class PartnerOrderMove(PartnerView):
    """Confirm, start, complete (a quoted order with its agreed amount) or cancel (with a reason: the
    owner's money goes back) one order."""

    required_permission = "partner.view"
    error_statuses = {"post": [404, 409]}

    @extend_schema(request=OrderMoveSerializer, responses=PartnerOrderSerializer)
    def post(self, request, pk, move):
        form = OrderMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        order = portal_orders.move_order(
            account=request.user,
            portal_order_id=pk,
            move=move,
            reason=form.validated_data["reason"],
            amount=form.validated_data["amount"],
        )
        return Response(PartnerOrderSerializer(order).data)
