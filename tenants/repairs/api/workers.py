"""The repair workers a dispatcher can send an order to, each with their open orders (the load)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from rest_framework import generics, serializers
from rest_framework.response import Response

from tenants.repairs import selectors
from tenants.repairs.models import OPEN_STATUSES, RepairOrder
from tenants.repairs.services.contact import reveal_contact


class RepairWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    open_orders = serializers.IntegerField(read_only=True, help_text="Orders assigned and not yet completed.")


class RepairWorkerList(generics.ListAPIView):
    """维修师傅: active repair workers for the dispatch and transfer pickers and the list's filter."""

    required_permission = "repairs.dispatch"
    serializer_class = RepairWorkerSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        load = (
            RepairOrder.objects.filter(worker=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by()
            .values("worker")
            .annotate(n=Count("id"))
            .values("n")
        )
        return selectors.workers().annotate(open_orders=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)))


class RepairContactSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True, help_text="Empty when the order has no owner's account.")


class RepairWorkContact(generics.GenericAPIView):
    """联系业主: the contact's phone for the worker an open order is assigned to (audited)."""

    required_permission = "repairs.work"
    serializer_class = RepairContactSerializer
    error_statuses = {"*": [409]}

    def get(self, request, pk: int):
        return Response(RepairContactSerializer(reveal_contact(order_id=pk, worker=request.user)).data)
