"""Staff: the company's orders with its vendors — who booked what, its state, the rating (the
monthly settlement is partners' own: partners.api.settlement), and the owner's complaint about it
in 投诉建议 if there is one. Managers cancel a live order, complete one under way whose vendor can no
longer, and ask again for a refund the channel failed (services.company_moves)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.masking import mask_phone
from payments import selectors as payment_selectors
from tenants.vendor_orders import selectors
from tenants.vendor_orders.models import OrderStatus, RefundState, VendorOrder
from tenants.vendor_orders.services import company_moves, payment
from tenants.vendor_orders.services.orders import refund_reference

VIEW = ("partners.view", "partners.manage")
MANAGE = "partners.manage"


class VendorOrderStaffSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    house_label = serializers.CharField(source="house.label", read_only=True)
    contact_phone = serializers.SerializerMethodField()
    refund_state = serializers.SerializerMethodField(
        help_text=(
            "A cancelled paid order's money: refunding, refunded, or failed (ask again: refund/); blank: nothing paid."
        )
    )

    awaits_payment = serializers.SerializerMethodField(
        help_text="A quoted order its vendor completed with the agreed amount, not yet paid by the owner."
    )

    class Meta:
        model = VendorOrder
        fields = [
            "id",
            "number",
            "vendor_id",
            "vendor_name",
            "offering_name",
            "price_mode",
            "quantity",
            "amount",
            "refunded",
            "refund_state",
            "awaits_payment",
            "commission_rate",
            "fulfilment",
            "scheduled_start",
            "estate_name",
            "house_label",
            "contact_name",
            "contact_phone",
            "status",
            "cancelled_by",
            "cancel_reason",
            "rating",
            "rating_comment",
            "complaint",
            "created_at",
            "paid_at",
            "completed_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_contact_phone(self, order: VendorOrder) -> str:
        return mask_phone(order.contact_phone or "")

    def get_awaits_payment(self, order: VendorOrder) -> bool:
        return payment.awaits_payment(order)

    @extend_schema_field(serializers.ChoiceField(choices=RefundState.choices, allow_blank=True))
    def get_refund_state(self, order: VendorOrder) -> str:
        return company_moves.refund_state(order, self.context.get("refund_states", {}))


class StaffOrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Told to the owner.")


class StaffOrderCompleteSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="A quoted order (price_mode quoted): the amount agreed at the door, for the owner to pay.",
    )


class VendorOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """服务订单: every order of the company's owners with its vendors, newest first."""

    required_permission = {"GET": VIEW, "POST": MANAGE}
    serializer_class = VendorOrderStaffSerializer
    filterset_fields = ["status", "vendor_id"]

    def get_queryset(self):
        return selectors.company_orders()

    def _serialize(self, orders: list[VendorOrder]) -> Any:
        states = payment_selectors.purpose_refund_states(
            [refund_reference(o) for o in orders if o.status == OrderStatus.CANCELLED and o.paid_at]
        )
        return VendorOrderStaffSerializer(orders, many=True, context={"refund_states": states}).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(list(page or [])))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()])[0])

    def _answer(self, order: VendorOrder) -> Response:
        return Response(self._serialize([selectors.company_orders().get(pk=order.pk)])[0])

    @extend_schema(request=StaffOrderCancelSerializer, responses=VendorOrderStaffSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a live order (one under way included): what was paid goes back, the owner is told."""
        form = StaffOrderCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        self.get_object()
        return self._answer(company_moves.staff_cancel(order_id=pk, actor=request.user, **form.validated_data))

    @extend_schema(request=StaffOrderCompleteSerializer, responses=VendorOrderStaffSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete an order under way whose vendor is no longer admitted for the estate (a quoted one
        with its agreed amount)."""
        form = StaffOrderCompleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        self.get_object()
        return self._answer(company_moves.staff_complete(order_id=pk, actor=request.user, **form.validated_data))

    @extend_schema(request=None, responses=VendorOrderStaffSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Ask again for the refund of a cancelled order the channel failed or closed."""
        self.get_object()
        return self._answer(company_moves.retry_refund(order_id=pk, actor=request.user))
