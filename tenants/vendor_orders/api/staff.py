"""Staff: the company's orders with its vendors — who booked what, its state, the rating (the
monthly settlement is partners' own: partners.api.settlement), and the owner's complaint about it
in 投诉建议 if there is one."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from core.masking import mask_phone
from tenants.vendor_orders import selectors
from tenants.vendor_orders.models import VendorOrder

VIEW = ("partners.view", "partners.manage")


class VendorOrderStaffSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    estate_name = serializers.CharField(source="house.estate.name", read_only=True)
    house_label = serializers.CharField(source="house.label", read_only=True)
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = VendorOrder
        fields = [
            "id",
            "number",
            "vendor_id",
            "vendor_name",
            "offering_name",
            "quantity",
            "amount",
            "refunded",
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


class VendorOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """服务订单: every order of the company's owners with its vendors, newest first."""

    required_permission = VIEW
    serializer_class = VendorOrderStaffSerializer
    filterset_fields = ["status", "vendor_id"]

    def get_queryset(self):
        return selectors.company_orders()
