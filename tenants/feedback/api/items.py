"""Feedback API: every item for the company's handlers (assign, reply, resolve, close), and the
owner's own items (file, withdraw, rate). An anonymous suggestion shows the handlers neither its
owner nor its house, in the item, its timeline or its photos."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exports import ExcelExportMixin
from tenants.estates.models import House
from tenants.feedback import machine, selectors, services
from tenants.feedback.api.photos import FeedbackPhotoSerializer, photo_ids_field
from tenants.feedback.machine import Party
from tenants.feedback.models import AWAITING_REPLY, Feedback, Kind, Status, TimelineEntry


def _hidden(item: Feedback, context: dict[str, Any]) -> bool:
    """The owner's identity is hidden from the handlers on an anonymous item (never from the owner)."""
    return item.anonymous and context.get("party") != Party.OWNER


class FeedbackTimelineEntrySerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True, help_text="A status, or empty for the filing.")
    actor_name = serializers.SerializerMethodField()
    assignee_name = serializers.CharField(source="assignee.name", default=None, allow_null=True, read_only=True)
    by_owner = serializers.SerializerMethodField(help_text="The step was the owner's (filing, withdrawal, rating).")

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "transition",
            "from_status",
            "to_status",
            "actor_name",
            "by_owner",
            "assignee_name",
            "note",
            "at",
        ]
        read_only_fields = fields

    def _by_owner(self, entry: TimelineEntry) -> bool:
        return entry.actor_id is not None and entry.actor_id == entry.feedback.owner_id

    def get_by_owner(self, entry: TimelineEntry) -> bool:
        return self._by_owner(entry)

    def get_actor_name(self, entry: TimelineEntry) -> str | None:
        if entry.actor is None or (self._by_owner(entry) and _hidden(entry.feedback, self.context)):
            return None
        return entry.actor.name


class FeedbackSerializer(serializers.ModelSerializer):
    house = serializers.SerializerMethodField()
    house_label = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField(help_text="Hidden (null) from staff on an anonymous item.")
    estate_name = serializers.CharField(source="estate.name", default=None, allow_null=True, read_only=True)
    assignee_name = serializers.CharField(source="assignee.name", default=None, allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Waiting for a reply past the company's reply time.")
    actions = serializers.SerializerMethodField(help_text="The moves the caller may make now.")
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "kind",
            "status",
            "description",
            "anonymous",
            "house",
            "house_label",
            "estate",
            "estate_name",
            "owner_name",
            "assignee",
            "assignee_name",
            "reply",
            "replied_at",
            "resolved_at",
            "rating",
            "reply_due_at",
            "overdue",
            "created_at",
            "actions",
            "photos",
        ]
        read_only_fields = fields

    def get_house(self, item: Feedback) -> int | None:
        return None if _hidden(item, self.context) else item.house_id

    def get_house_label(self, item: Feedback) -> str | None:
        return None if _hidden(item, self.context) or item.house is None else item.house.label

    def get_owner_name(self, item: Feedback) -> str | None:
        return None if _hidden(item, self.context) else item.owner.name

    def get_overdue(self, item: Feedback) -> bool:
        return item.status in AWAITING_REPLY and item.reply_due_at < timezone.now()

    def get_actions(self, item: Feedback) -> list[str]:
        party = self.context.get("party")
        return machine.allowed(item.status, party) if party else []

    @extend_schema_field(FeedbackPhotoSerializer(many=True))
    def get_photos(self, item: Feedback) -> list[dict[str, Any]]:
        return FeedbackPhotoSerializer(item.photos.all(), many=True, context=self.context).data  # type: ignore[return-value]


class FeedbackDetailSerializer(FeedbackSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(FeedbackSerializer.Meta):
        fields = [*FeedbackSerializer.Meta.fields, "timeline"]
        read_only_fields = fields

    @extend_schema_field(FeedbackTimelineEntrySerializer(many=True))
    def get_timeline(self, item: Feedback) -> list[dict[str, Any]]:
        entries = list(selectors.timeline(item))
        for entry in entries:
            entry.feedback = item
        return FeedbackTimelineEntrySerializer(entries, many=True, context=self.context).data  # type: ignore[return-value]


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    estate = django_filters.NumberFilter(field_name="estate_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    overdue = django_filters.BooleanFilter(method="is_overdue", help_text="Waiting for a reply past its time.")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="Filed from")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="Filed until")

    class Meta:
        model = Feedback
        fields = ["kind", "status", "estate", "assignee", "overdue", "created_from", "created_to"]

    def is_overdue(self, queryset, name, value):
        return selectors.overdue(queryset, value)


class FeedbackNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class FeedbackReplySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, help_text="The reply the owner reads.")


class FeedbackCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, help_text="Why it is closed.")


class FeedbackAssignSerializer(FeedbackNoteSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=selectors.handlers(), help_text="A feedback handler.")


class FeedbackRateSerializer(FeedbackNoteSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


class FeedbackFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    description = serializers.CharField(max_length=1000)
    house = serializers.PrimaryKeyRelatedField(
        queryset=House.objects.all(), required=False, allow_null=True, default=None
    )
    anonymous = serializers.BooleanField(required=False, default=False, help_text="Suggestions only.")
    photos = photo_ids_field()


def _with_photos(queryset):
    return queryset.prefetch_related(Prefetch("photos", queryset=selectors.item_photos()))


class _Items(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    party: Party
    filterset_class = FeedbackFilter
    search_fields = ["description", "reply"]
    ordering_fields = ["created_at", "reply_due_at"]
    error_statuses = {"*": [409]}  # a move the item's state does not allow

    def get_serializer_class(self):
        return FeedbackDetailSerializer if self.action != "list" else FeedbackSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "party": self.party}

    def filter_queryset(self, queryset):
        return _with_photos(super().filter_queryset(queryset))

    def _detail(self, pk: int, **kwargs: Any) -> Response:
        fresh = _with_photos(self.get_queryset()).get(pk=pk)
        return Response(FeedbackDetailSerializer(fresh, context=self.get_serializer_context()).data, **kwargs)

    def _move(self, name: str, form_class: type[serializers.Serializer] = FeedbackNoteSerializer) -> Response:
        item = self.get_object()  # 404 for what the caller may not see
        form = form_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        services.transition(
            feedback_id=item.pk, name=name, actor=self.request.user, party=self.party, **form.validated_data
        )
        return self._detail(item.pk)


_MOVE = extend_schema(request=FeedbackNoteSerializer, responses=FeedbackDetailSerializer)


class FeedbackViewSet(ExcelExportMixin, _Items):
    """投诉建议 for the handlers: every item of the company; assign, reply, resolve, close. The list
    with `?format=xlsx` is the same rows, filtered alike, as a workbook (an anonymous item's owner and
    house stay blank there too: the rows are the list's serializer output)."""

    party = Party.STAFF
    required_permission = "feedback.handle"
    export_title = gettext_lazy("投诉建议")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("id", gettext_lazy("编号")),
        ("created_at", gettext_lazy("提交时间")),
        ("kind", gettext_lazy("类型")),
        ("status", gettext_lazy("状态")),
        ("description", gettext_lazy("内容")),
        ("owner_name", gettext_lazy("业主")),
        ("estate_name", gettext_lazy("小区")),
        ("house_label", gettext_lazy("房屋")),
        ("assignee_name", gettext_lazy("处理人")),
        ("reply_due_at", gettext_lazy("回复时限")),
        ("overdue", gettext_lazy("已超时")),
        ("reply", gettext_lazy("回复")),
        ("replied_at", gettext_lazy("回复时间")),
        ("resolved_at", gettext_lazy("解决时间")),
        ("rating", gettext_lazy("满意度")),
    ]
    export_labels = {"kind": dict(Kind.choices), "status": dict(Status.choices)}
    export_text_fields = ("house_label",)

    def get_queryset(self):
        return selectors.staff_items()

    @extend_schema(request=FeedbackAssignSerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._move("assign", FeedbackAssignSerializer)

    @extend_schema(request=FeedbackReplySerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._move("reply", FeedbackReplySerializer)

    @_MOVE
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move("resolve")

    @extend_schema(request=FeedbackCloseSerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close", FeedbackCloseSerializer)


class OwnerFeedbackViewSet(mixins.CreateModelMixin, _Items):
    """The owner's own feedback: file, follow (the reply), withdraw before it is resolved, rate."""

    party = Party.OWNER
    required_permission = "owner.self"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Feedback.objects.none()
        return selectors.owner_items(self.request.user)

    @extend_schema(request=FeedbackFileSerializer, responses={201: FeedbackDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = FeedbackFileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.file_feedback(actor=request.user, **form.validated_data)
        return self._detail(item.pk, status=status.HTTP_201_CREATED)

    @_MOVE
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move("withdraw")

    @extend_schema(request=FeedbackRateSerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        return self._move("rate", FeedbackRateSerializer)
