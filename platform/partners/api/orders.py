"""The partner portal's orders: every order of the companies that admit the vendor now, in one list
(partners.selectors.vendor_orders: one query whatever the number of companies), and the vendor's
moves of one — confirm, start, complete, cancel with a reason — made in the company's schema by
partners.services.portal_orders after it checked the admission."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.masking import mask_phone
from partners import selectors
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
        ]
        read_only_fields = fields

    def get_contact_phone(self, order: PortalOrder) -> str:
        phone = order.contact_phone or ""
        return phone if order.status in LIVE else mask_phone(phone)


STATUS = OpenApiParameter("status", str, required=False, description="One order status (booked, confirmed…)")
COMPANY = OpenApiParameter("company", str, required=False, description="One company's slug")


class PartnerOrderList(PartnerView, generics.ListAPIView):
    """订单: newest first, across every company that admits the vendor now."""

    required_permission = "partner.view"
    serializer_class = PartnerOrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PortalOrder.objects.none()
        rows = selectors.vendor_orders(self.request.user.vendor)
        wanted = self.request.query_params.get("status", "")
        if wanted:
            rows = rows.filter(status=wanted[:16])
        company = self.request.query_params.get("company", "")
        if company:
            rows = rows.filter(company__slug=company[:30])
        return rows

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
