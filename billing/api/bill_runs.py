"""Bill runs (出账批次): previewed on creation, started into a background job, or cancelled."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.common import user_name
from billing.models import BillRun, FeeItem
from billing.selectors import ledger as selectors
from billing.services import bill_runs as services
from core.api_fields import BoundedDateField
from tenants.estates.models import Building, Estate

PERMISSIONS = {"GET": "fees.view", "POST": "fees.manage"}


class BillRunPreviewExceptionSerializer(serializers.Serializer[Any]):
    house = serializers.IntegerField(required=False, help_text="The house left out, when it is one house.")
    estate_name = serializers.CharField(required=False, help_text="The house's estate (with `house`).")
    house_label = serializers.CharField(required=False, help_text="楼栋单元房号 of `house` (with `house`).")
    reason = serializers.CharField()


class BillRunPreviewItemSerializer(serializers.Serializer[Any]):
    fee_item = serializers.IntegerField()
    name = serializers.CharField()
    charges = serializers.IntegerField(help_text="Charges the run would issue for this item.")
    houses = serializers.IntegerField(help_text="Houses those charges fall on.")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    already_billed = serializers.IntegerField(help_text="Cycles in scope issued before (skipped).")
    exceptions = BillRunPreviewExceptionSerializer(many=True, help_text="What would be left out, and why (at most 50).")


class BillRunPreviewSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    estate = serializers.IntegerField(allow_null=True)
    building = serializers.IntegerField(allow_null=True)
    items = BillRunPreviewItemSerializer(many=True)
    charges = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class BillRunResultSerializer(serializers.Serializer[Any]):
    charges = serializers.IntegerField(required=False, help_text="Charges this run issued (once it succeeded).")
    total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    error = serializers.CharField(required=False, help_text="Why it failed (once it failed).")


@extend_schema_field(BillRunPreviewSerializer)
class PreviewField(serializers.JSONField):
    """The stored preview as is (billing.services.bill_runs.preview), described for the document."""


@extend_schema_field(BillRunResultSerializer)
class ResultField(serializers.JSONField):
    """The stored result as is: empty until the run ends."""


class BillRunSerializer(serializers.ModelSerializer[BillRun]):
    estate_name = serializers.SerializerMethodField()
    building_name = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()
    fee_items = serializers.SerializerMethodField()
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True, help_text="Poll /api/v1/jobs/{job}/")
    preview = PreviewField(read_only=True)
    result = ResultField(read_only=True)

    class Meta:
        model = BillRun
        fields = [
            "id",
            "as_of",
            "estate",
            "estate_name",
            "building",
            "building_name",
            "fee_items",
            "status",
            "scheduled",
            "preview",
            "result",
            "job",
            "created_by_name",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_estate_name(self, run: BillRun) -> str:
        return run.estate.name if run.estate else ""

    def get_building_name(self, run: BillRun) -> str:
        return run.building.name if run.building else ""

    def get_created_by_name(self, run: BillRun) -> str:
        return user_name(run.created_by)

    def get_fee_items(self, run: BillRun) -> list[int]:
        return [item.pk for item in run.fee_items.all()]


class BillRunCreateSerializer(serializers.Serializer[Any]):
    as_of = BoundedDateField()
    estate = serializers.PrimaryKeyRelatedField(queryset=Estate.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    fee_items = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=FeeItem.objects.all()), required=False, max_length=200
    )


class BillRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[BillRun]):
    """出账: POST previews a run (nothing issued); start issues it in the background (poll its job);
    cancel drops a run not started."""

    serializer_class = BillRunSerializer
    required_permission = PERMISSIONS
    error_statuses = {"start": [409], "cancel": [409]}  # already started, finished or cancelled
    filterset_fields = ["status", "estate", "building"]
    ordering_fields = ["created_at", "as_of"]

    def get_queryset(self) -> QuerySet[BillRun]:
        return selectors.bill_runs()

    def _respond(self, run: BillRun, status: int = 200) -> Response:
        return Response(BillRunSerializer(selectors.bill_runs().get(pk=run.pk)).data, status=status)

    @extend_schema(request=BillRunCreateSerializer, responses={201: BillRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = BillRunCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        run = services.create_bill_run(
            as_of=data["as_of"],
            estate=data.get("estate"),
            building=data.get("building"),
            fee_items=list(data.get("fee_items") or []) or None,
            actor=request.user,
        )
        return self._respond(run, status=201)

    @extend_schema(request=None, responses=BillRunSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.start_bill_run(run=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=BillRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.cancel_bill_run(run=self.get_object(), actor=request.user))


VIEWSETS = [("bill-runs", BillRunViewSet, "bill-run")]
