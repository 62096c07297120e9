"""Owners (mini-program): booking and ordering from a vendor their company admitted (browsing the
vendors is partners.api.owner), their own orders — cancel, pay (through payments' owner endpoint,
purpose `vendor_orders`) and rate."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.validators import PhoneField
from core.masking import mask_phone
from tenants.vendor_orders import selectors, services
from tenants.vendor_orders.models import Fulfilment, VendorOrder

OWNER = "owner.self"


class OwnerOrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    house_label = serializers.CharField(source="house.label", read_only=True)
    contact_phone = serializers.SerializerMethodField()
    awaits_payment = serializers.SerializerMethodField(
        help_text="A quoted order the vendor completed with its amount, to pay now (POST /owner/payments/)."
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
            "unit_price",
            "quantity",
            "amount",
            "refunded",
            "fulfilment",
            "scheduled_start",
            "scheduled_end",
            "house",
            "house_label",
            "contact_name",
            "contact_phone",
            "note",
            "status",
            "cancelled_by",
            "cancel_reason",
            "rating",
            "rating_comment",
            "complaint",
            "created_at",
            "pay_by",
            "paid_at",
            "awaits_payment",
            "confirmed_at",
            "started_at",
            "completed_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_contact_phone(self, order: VendorOrder) -> str:
        return mask_phone(order.contact_phone or "")

    def get_awaits_payment(self, order: VendorOrder) -> bool:
        return services.payment.awaits_payment(order)


class VendorOrderBookSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(min_value=1)
    offering = serializers.IntegerField(min_value=1)
    slot = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    house = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=99, default=1)
    fulfilment = serializers.ChoiceField(choices=Fulfilment.choices, required=False, default="")
    contact_name = serializers.CharField(max_length=50)
    contact_phone = PhoneField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(max_length=64)


class VendorOrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class VendorOrderRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VendorOrderComplainSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=800)


class OwnerVendorOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的服务订单: book (pay next through /owner/payments with purpose vendor_orders), cancel, rate."""

    required_permission = OWNER
    serializer_class = OwnerOrderSerializer
    filterset_fields = ["status"]
    error_statuses = {"create": [409], "cancel": [409], "rate": [409], "complain": [409]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VendorOrder.objects.none()
        return selectors.owner_orders(self.request.user)

    def _answer(self, order: VendorOrder, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=order.pk)
        return Response(OwnerOrderSerializer(fresh).data, status=code)

    @extend_schema(request=VendorOrderBookSerializer, responses={201: OwnerOrderSerializer})
    def create(self, request):
        form = VendorOrderBookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        order = services.orders.book(
            user=request.user,
            vendor_id=data["vendor"],
            offering_id=data["offering"],
            slot_id=data["slot"],
            house_id=data["house"],
            quantity=data["quantity"],
            fulfilment=data["fulfilment"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            note=data["note"],
            idempotency_key=data["idempotency_key"],
        )
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=VendorOrderCancelSerializer, responses=OwnerOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        form = VendorOrderCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.orders.owner_cancel(order_id=order.pk, user=request.user, reason=form.validated_data["reason"])
        return self._answer(order)

    @extend_schema(request=VendorOrderRateSerializer, responses=OwnerOrderSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        order = self.get_object()
        form = VendorOrderRateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.orders.rate(order_id=order.pk, user=request.user, **form.validated_data)
        return self._answer(order)

    @extend_schema(request=VendorOrderComplainSerializer, responses=OwnerOrderSerializer)
    @action(detail=True, methods=["post"])
    def complain(self, request, pk=None):
        """投诉服务商: reaches the company as a complaint in its 投诉建议 (see `complaint`)."""
        order = self.get_object()
        form = VendorOrderComplainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.orders.complain(order_id=order.pk, user=request.user, **form.validated_data)
        return self._answer(order)
