"""对账 on a company's host: the daily reconciliation runs with their differences, running a day
again (a Celery job the admin watches), and resolving a difference with a note. `payments.reconcile`
(company admins)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import JobSerializer
from core.api_fields import BoundedDateField
from payments import selectors
from payments.models import ItemKind, ReconciliationItem, ReconciliationRun
from payments.services import reconciliation

RECONCILE = "payments.reconcile"


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class ReconciliationRunSerializer(serializers.ModelSerializer[ReconciliationRun]):
    provider_paid_total = _money()
    provider_refund_total = _money()
    our_paid_total = _money()
    our_refund_total = _money()
    item_count = serializers.IntegerField(help_text="Differences found (healed ones not counted).")
    open_count = serializers.IntegerField(help_text="Differences nobody has resolved yet.")
    healed_count = serializers.IntegerField(help_text="Orders settled by query during the run.")
    job = JobSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReconciliationRun
        fields = [
            "id",
            "gateway",
            "bill_date",
            "status",
            "bill_exists",
            "provider_payments",
            "provider_paid_total",
            "provider_refunds",
            "provider_refund_total",
            "our_payments",
            "our_paid_total",
            "our_refunds",
            "our_refund_total",
            "item_count",
            "open_count",
            "healed_count",
            "error",
            "job",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ReconciliationItemSerializer(serializers.ModelSerializer[ReconciliationItem]):
    provider_amount = _money(allow_null=True)
    our_amount = _money(allow_null=True)
    resolved_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ReconciliationItem
        fields = [
            "id",
            "run",
            "kind",
            "entry",
            "out_trade_no",
            "out_refund_no",
            "order",
            "provider_amount",
            "our_amount",
            "provider_state",
            "our_state",
            "evidence",
            "resolved_by_name",
            "resolved_at",
            "note",
        ]
        read_only_fields = fields

    def get_resolved_by_name(self, item: ReconciliationItem) -> str:
        user = item.resolved_by
        return (user.name or user.username) if user else ""


class RunRequestSerializer(serializers.Serializer[Any]):
    gateway = serializers.CharField(max_length=16, default="wechatpay")
    bill_date = BoundedDateField()


class ResolveSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500)


class ReconciliationRuns(generics.ListAPIView[ReconciliationRun]):
    """对账记录: one run per gateway and day, newest day first. POST runs a day (again): 202 with the
    run, whose job shows progress; its differences are replaced when it finishes."""

    serializer_class = ReconciliationRunSerializer
    required_permission = RECONCILE
    filterset_fields = ["gateway", "status"]
    error_statuses = {"post": [409]}

    def get_queryset(self) -> QuerySet[ReconciliationRun]:
        return selectors.reconciliation_runs().order_by("-bill_date", "gateway")

    @extend_schema(request=RunRequestSerializer, responses={202: ReconciliationRunSerializer})
    def post(self, request: Request) -> Response:
        form = RunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run = reconciliation.request_run(
            company=request.tenant,  # type: ignore[attr-defined]
            gateway_name=form.validated_data["gateway"],
            bill_date=form.validated_data["bill_date"],
            actor=request.user,
        )
        assert run is not None  # forced: a run, or an error
        shown = selectors.reconciliation_runs().get(pk=run.pk)
        return Response(ReconciliationRunSerializer(shown).data, status=202)


class ReconciliationRunDetail(generics.RetrieveAPIView[ReconciliationRun]):
    serializer_class = ReconciliationRunSerializer
    required_permission = RECONCILE

    def get_queryset(self) -> QuerySet[ReconciliationRun]:
        return selectors.reconciliation_runs()


class ReconciliationItems(generics.ListAPIView[ReconciliationItem]):
    """One run's differences (and the orders it healed). `?open=true`: those nobody resolved yet."""

    serializer_class = ReconciliationItemSerializer
    required_permission = RECONCILE
    filterset_fields = ["kind", "entry"]

    def get_queryset(self) -> QuerySet[ReconciliationItem]:
        if getattr(self, "swagger_fake_view", False):
            return ReconciliationItem.objects.none()
        run_id = int(self.kwargs["pk"])
        if not ReconciliationRun.objects.filter(pk=run_id).exists():
            raise NotFound()
        items = selectors.reconciliation_items(run_id)
        if self.request.query_params.get("open") in ("true", "1"):
            items = items.filter(resolved_at__isnull=True).exclude(kind=ItemKind.HEALED)
        return items


class ResolveItem(APIView):
    """Record what became of a difference (a note is required); 409 if it was resolved already."""

    required_permission = RECONCILE
    error_statuses = {"post": [404, 409]}

    @extend_schema(request=ResolveSerializer, responses=ReconciliationItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        if not ReconciliationItem.objects.filter(pk=pk).exists():
            raise NotFound()
        form = ResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = reconciliation.resolve_item(item_id=pk, actor=request.user, note=form.validated_data["note"])
        return Response(ReconciliationItemSerializer(selectors.reconciliation_items(item.run_id).get(pk=pk)).data)


PATHS = [
    path("payments/reconciliation/runs/", ReconciliationRuns.as_view(), name="reconciliation-runs"),
    path("payments/reconciliation/runs/<int:pk>/", ReconciliationRunDetail.as_view(), name="reconciliation-run"),
    path("payments/reconciliation/runs/<int:pk>/items/", ReconciliationItems.as_view(), name="reconciliation-items"),
    path("payments/reconciliation/items/<int:pk>/resolve/", ResolveItem.as_view(), name="reconciliation-item-resolve"),
]
