"""Repairs API: repair orders for the dispatcher (every order), the worker (their own and the
grabbable ones) and the owner (their own), each with the moves its party may make."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from billing.selectors.service_charges import service_charges
from tenants.estates.models import Estate, House
from tenants.repairs import machine, selectors, services
from tenants.repairs.api import list_cache
from tenants.repairs.api.photos import RepairPhotoSerializer, photo_ids_field
from tenants.repairs.machine import Party
from tenants.repairs.models import RepairOrder, Status, TimelineEntry, Urgency


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.name", default=None, allow_null=True, read_only=True)
    worker_name = serializers.CharField(source="worker.name", default=None, allow_null=True, read_only=True)
    photos = serializers.SerializerMethodField(help_text="The photos taken at this step.")

    class Meta:
        model = TimelineEntry
        fields = ["id", "transition", "from_status", "to_status", "actor_name", "worker_name", "note", "at", "photos"]

    @extend_schema_field(RepairPhotoSerializer(many=True))
    def get_photos(self, entry: TimelineEntry) -> list[dict[str, Any]]:
        photos = [photo for photo in self.context.get("photos", []) if photo.entry_id == entry.pk]
        return RepairPhotoSerializer(photos, many=True, context=self.context).data  # type: ignore[return-value]


class RepairChargeSerializer(serializers.Serializer):
    """A paid repair's fee as charged on the billing ledger (the owner pays it with their bills)."""

    charge_id = serializers.IntegerField(help_text="The charge on the house's bills.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="As charged.")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=12, decimal_places=2)
    due_date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=["unpaid", "partial", "paid", "overdue", "cancelled"],
        help_text="cancelled: its unpaid amount was reversed with nothing paid (a corrected fee).",
    )


def charge_data(charge: Any) -> dict[str, Any] | None:
    """A repair's charge as the API shows it (None when it has none)."""
    if charge is None:
        return None
    fields = ("charge_id", "amount", "paid", "outstanding", "due_date", "status")
    return RepairChargeSerializer({name: getattr(charge, name) for name in fields}).data


class RepairOrderSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.path", read_only=True)
    house_label = serializers.CharField(source="house.label", default=None, allow_null=True, read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", default=None, allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="The moves the caller may make now.")
    photos = serializers.SerializerMethodField(help_text="Every photo of the order (problem, progress, result).")
    charge = serializers.SerializerMethodField(
        help_text="The fee's charge on the house's bills; null when none (free, no fee, or a public area)."
    )

    class Meta:
        model = RepairOrder
        fields = [
            "id",
            "number",
            "status",
            "category",
            "category_name",
            "urgency",
            "description",
            "house",
            "house_label",
            "estate",
            "estate_name",
            "location",
            "preferred_visit_at",
            "contact_name",
            "worker",
            "worker_name",
            "due_at",
            "overdue",
            "sla_warned_at",
            "sla_escalated_at",
            "completed_at",
            "rating",
            "rating_tags",
            "materials",
            "fee",
            "charge",
            "created_at",
            "actions",
            "photos",
        ]
        read_only_fields = fields

    @extend_schema_field(RepairChargeSerializer(allow_null=True))
    def get_charge(self, order: RepairOrder) -> dict[str, Any] | None:
        charges = self.context.get("charges")
        if charges is None:  # a single order: its own query
            charges = selectors.order_charges([order])
        return charge_data(charges.get(order.pk))

    @extend_schema_field(RepairPhotoSerializer(many=True))
    def get_photos(self, order: RepairOrder) -> list[dict[str, Any]]:
        return RepairPhotoSerializer(order.photos.all(), many=True, context=self.context).data  # type: ignore[return-value]

    def get_overdue(self, order: RepairOrder) -> bool:
        return selectors.is_overdue(order.status, order.due_at)

    def get_actions(self, order: RepairOrder) -> list[str]:
        party = self.context.get("party")
        return machine.allowed(order.status, party) if party else []


class RepairOrderDetailSerializer(RepairOrderSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(RepairOrderSerializer.Meta):
        fields = [*RepairOrderSerializer.Meta.fields, "timeline"]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order: RepairOrder) -> list[dict[str, Any]]:
        context = {**self.context, "photos": list(order.photos.all())}
        return TimelineEntrySerializer(selectors.timeline(order), many=True, context=context).data  # type: ignore[return-value]


class RepairOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    category = django_filters.NumberFilter(method="in_category", help_text="A category or any of its children.")
    estate = django_filters.NumberFilter(field_name="estate_id")
    worker = django_filters.NumberFilter(field_name="worker_id")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    overdue = django_filters.BooleanFilter(method="is_overdue", help_text="Open and past its time limit.")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="Filed from")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="Filed until")

    class Meta:
        model = RepairOrder
        fields = ["status", "category", "estate", "worker", "urgency", "overdue", "created_from", "created_to"]

    def in_category(self, queryset, name, value):
        return queryset.filter(Q(category_id=value) | Q(category__parent_id=value))

    def is_overdue(self, queryset, name, value):
        return selectors.overdue(queryset, value)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PhotoNoteSerializer(NoteSerializer):
    photos = photo_ids_field()


class CompleteSerializer(PhotoNoteSerializer):
    materials = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    fee = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="维修费, paid categories only; charged to the house's bills.",
    )


class FeeSerializer(NoteSerializer):
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class WorkerAssignSerializer(NoteSerializer):
    worker = serializers.PrimaryKeyRelatedField(queryset=selectors.workers(), help_text="A repair worker.")


class RateSerializer(NoteSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=services.RATING_TAGS_MAX
    )


class OwnerFileSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=selectors.active_categories())
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default="")
    description = serializers.CharField(max_length=1000)
    house = serializers.PrimaryKeyRelatedField(
        queryset=House.objects.all(), required=False, allow_null=True, default=None
    )
    estate = serializers.PrimaryKeyRelatedField(
        queryset=Estate.objects.all(), required=False, allow_null=True, default=None
    )
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    preferred_visit_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    photos = photo_ids_field()


class StaffFileSerializer(OwnerFileSerializer):
    resident = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The resident (of the house) filed for."
    )
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")


class _Orders(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    party: Party
    filterset_class = RepairOrderFilter
    search_fields = ["number", "description", "location", "contact_name"]
    ordering_fields = ["created_at", "due_at"]
    error_statuses = {"*": [409]}  # a move the order's state does not allow

    def get_serializer_class(self):
        return RepairOrderDetailSerializer if self.action != "list" else RepairOrderSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "party": self.party}

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:  # a page: its charges in one query
            page = list(args[0])
            kwargs["context"] = {**self.get_serializer_context(), "charges": selectors.order_charges(page)}
            return self.get_serializer_class()(page, *args[1:], **kwargs)
        return super().get_serializer(*args, **kwargs)

    def filter_queryset(self, queryset):
        return _with_photos(super().filter_queryset(queryset))

    def _move(self, name: str, form_class: type[serializers.Serializer] = NoteSerializer) -> Response:
        order = self.get_object()  # 404 for what the caller may not see
        form = form_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        services.transition(
            order_id=order.pk, name=name, actor=self.request.user, party=self.party, **form.validated_data
        )
        fresh = _with_photos(self.get_queryset()).filter(pk=order.pk).first() or _with_photos(
            selectors.staff_orders()
        ).get(pk=order.pk)
        return Response(RepairOrderDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def _file(self, form_class: type[serializers.Serializer]) -> Response:
        form = form_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        order = services.file_order(actor=self.request.user, party=self.party, **form.validated_data)
        fresh = _with_photos(selectors.staff_orders()).get(pk=order.pk)
        return Response(
            RepairOrderDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def _refresh_live_fields(rows: list[dict[str, Any]], facts: list_cache.Facts) -> None:
    """A cached page's fields that move without a write to the repair tables: the clock's overdue
    flag and the billing charge (one query for the page)."""
    charges = service_charges(source for source, _ in facts.values())
    for row in rows:
        source, due_at = facts[row["id"]]
        row["overdue"] = selectors.is_overdue(row["status"], due_at)
        row["charge"] = charge_data(charges.get(source)) if source else None


def _with_photos(queryset):
    return queryset.prefetch_related(Prefetch("photos", queryset=selectors.order_photos()))


_MOVE = extend_schema(request=NoteSerializer, responses=RepairOrderDetailSerializer)
_PHOTO_MOVE = extend_schema(request=PhotoNoteSerializer, responses=RepairOrderDetailSerializer)


class RepairOrderViewSet(mixins.CreateModelMixin, _Orders):
    """报修单 for the dispatcher: every order of the company; file on a resident's behalf, assign,
    transfer, cancel, close, reopen."""

    party = Party.DISPATCHER
    required_permission = "repairs.dispatch"

    def get_queryset(self):
        return selectors.staff_orders()

    def list(self, request, *args, **kwargs):
        return Response(list_cache.cached_page(request, self._fresh_page, _refresh_live_fields))

    def _fresh_page(self) -> tuple[dict[str, Any], Sequence[RepairOrder]]:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        orders = list(page) if page is not None else []
        body = self.get_paginated_response(self.get_serializer(orders, many=True).data).data
        return body, orders

    @extend_schema(request=StaffFileSerializer, responses={201: RepairOrderDetailSerializer})
    def create(self, request, *args, **kwargs):
        return self._file(StaffFileSerializer)

    @extend_schema(request=WorkerAssignSerializer, responses=RepairOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def assign(self, request, pk=None):  # not `dispatch`: that is the view's own entry point
        return self._move("dispatch", WorkerAssignSerializer)

    @extend_schema(request=WorkerAssignSerializer, responses=RepairOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._move("transfer", WorkerAssignSerializer)

    @_MOVE
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move("cancel")

    @_MOVE
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close")

    @_MOVE
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move("reopen")

    @extend_schema(request=FeeSerializer, responses=RepairOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def fee(self, request, pk=None):
        """Correct a completed order's fee before any of it is paid: the old charge is reversed and the
        new fee charged (409 once paid: refund through billing)."""
        order = self.get_object()
        form = FeeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.correct_fee(order_id=order.pk, actor=request.user, **form.validated_data)
        fresh = _with_photos(self.get_queryset()).get(pk=order.pk)
        return Response(RepairOrderDetailSerializer(fresh, context=self.get_serializer_context()).data)


class RepairWorkViewSet(_Orders):
    """我的工单 for a repair worker: orders assigned to them and those open to grab."""

    party = Party.WORKER
    required_permission = "repairs.work"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RepairOrder.objects.none()
        return selectors.worker_orders(self.request.user)

    @_MOVE
    @action(detail=True, methods=["post"])
    def grab(self, request, pk=None):
        return self._move("grab")

    @_MOVE
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move("accept")

    @_PHOTO_MOVE
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start", PhotoNoteSerializer)

    @extend_schema(request=CompleteSerializer, responses=RepairOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Completion, with its result photos, the materials used and the fee (a paid category's fee is
        charged to the house's bills in the same transaction)."""
        return self._move("complete", CompleteSerializer)

    @_MOVE
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def give_back(self, request, pk=None):
        return self._move("return")


class OwnerRepairViewSet(mixins.CreateModelMixin, _Orders):
    """The owner's own repairs: file, follow, cancel before work starts, confirm and rate, reopen."""

    party = Party.OWNER
    required_permission = "owner.self"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RepairOrder.objects.none()
        return selectors.owner_orders(self.request.user)

    @extend_schema(request=OwnerFileSerializer, responses={201: RepairOrderDetailSerializer})
    def create(self, request, *args, **kwargs):
        return self._file(OwnerFileSerializer)

    @_MOVE
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move("cancel")

    @extend_schema(request=RateSerializer, responses=RepairOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._move("confirm", RateSerializer)

    @_MOVE
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move("reopen")
