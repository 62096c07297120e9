"""Notifications API: the staff bell and the owner app's inbox (one's own messages: list, unread
count, read receipts), owners' preferences, and the delivery log with retry for admins."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import events, rendering, selectors
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import deliveries, inbox, preferences


class InboxItemSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="notification.event")
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField(help_text="A path of the app the message opens; empty for none.")

    class Meta:
        model = Delivery
        fields = ["id", "event", "title", "body", "link", "created_at", "read_at"]

    def _rendered(self, item: Delivery) -> tuple[str, str]:
        # In the reader's language (the request's), from the context kept with the message.
        cache: dict[int, tuple[str, str]] = self.context.setdefault("rendered", {})
        if item.pk not in cache:
            renderer = self.context.setdefault("renderer", rendering.Renderer())  # the company's wording
            try:
                spec = events.get(item.notification.event)
                cache[item.pk] = renderer.render(spec, Channel.INBOX, item.notification.context)
            except events.UnknownEvent:
                cache[item.pk] = (item.notification.event, "")
        return cache[item.pk]

    def get_title(self, item: Delivery) -> str:
        return self._rendered(item)[0]

    def get_body(self, item: Delivery) -> str:
        return self._rendered(item)[1]

    def get_link(self, item: Delivery) -> str:
        try:
            return events.get(item.notification.event).link_for(item.notification.context)
        except events.UnknownEvent:
            return ""


UnreadCount = inline_serializer("NotificationUnreadCount", {"unread": serializers.IntegerField()})
ReadAll = inline_serializer("NotificationReadAll", {"marked": serializers.IntegerField()})


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread messages.")])
)
class _Inbox(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = InboxItemSerializer
    filter_backends: list = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no signed-in person
            return Delivery.objects.none()
        items = selectors.inbox(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            items = items.filter(read_at__isnull=True)
        return items

    @extend_schema(responses=UnreadCount)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Any) -> Response:
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(request=None, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Any, pk: str | None = None) -> Response:
        item = inbox.mark_read(user=request.user, item_id=self.get_object().pk)
        return Response(self.get_serializer(selectors.inbox(request.user).get(pk=item.pk)).data)

    @extend_schema(request=None, responses=ReadAll)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Any) -> Response:
        return Response({"marked": inbox.mark_all_read(user=request.user)})


class StaffInboxViewSet(_Inbox):
    """The web admin's bell: the signed-in staff member's own messages (?unread=1 for unread only)."""

    required_permission = "notifications.inbox"


class OwnerInboxViewSet(_Inbox):
    """The owner app's messages: the signed-in owner's own (?unread=1 for unread only)."""

    required_permission = "owner.self"


class EventPreferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    # stubs: a serializer is a Field, and this field hides Field.label
    label = serializers.CharField()  # type: ignore[assignment]
    essential = serializers.BooleanField(help_text="Essential events cannot be muted.")
    muted = serializers.BooleanField()


class PreferenceSerializer(serializers.Serializer):
    muted_events = serializers.ListField(child=serializers.CharField(max_length=60), max_length=50)
    quiet_start = serializers.TimeField(allow_null=True, help_text="Quiet hours start (Asia/Shanghai), or null.")
    quiet_end = serializers.TimeField(allow_null=True, help_text="Quiet hours end (Asia/Shanghai), or null.")
    events = EventPreferenceSerializer(many=True, read_only=True)


def _preference_answer(user: Any) -> dict[str, Any]:
    preference = selectors.preference_of(user)
    return {
        "muted_events": list(preference.muted_events),
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "events": [
            {
                "name": event.name,
                "label": str(event.label),
                "essential": event.essential,
                "muted": event.name in preference.muted_events,
            }
            for event in events.all_events()
        ],
    }


class OwnerPreferenceView(APIView):
    """The owner's notification settings: muted events (not texted or mailed; still in the inbox;
    essential ones cannot be muted) and quiet hours (non-urgent messages wait for their end)."""

    required_permission = "owner.self"

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request: Any) -> Response:
        return Response(PreferenceSerializer(_preference_answer(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request: Any) -> Response:
        form = PreferenceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        preferences.update_preferences(
            user=request.user,
            muted_events=data["muted_events"],
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
        )
        return Response(PreferenceSerializer(_preference_answer(request.user)).data)


class StaffPreferenceView(OwnerPreferenceView):
    """The signed-in staff member's notification settings (the bell's 通知设置): as the owner's."""

    required_permission = "notifications.inbox"


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="notification.event")
    recipient_name = serializers.SerializerMethodField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "notification",
            "recipient",
            "recipient_name",
            "channel",
            "address",
            "status",
            "attempts",
            "round",
            "not_before",
            "reason",
            "provider_id",
            "created_at",
            "updated_at",
            "sent_at",
        ]

    def get_recipient_name(self, delivery: Delivery) -> str:
        return str(delivery.recipient) if delivery.recipient is not None else ""


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The company's delivery log (SMS, e-mail): ?status=failed|dead lists what did not go out, and
    retry sends a failed or dead one again."""

    serializer_class = DeliverySerializer
    required_permission = "notifications.deliveries"
    filterset_fields = {"status": ["exact", "in"], "channel": ["exact"], "notification__event": ["exact"]}
    ordering_fields = ["updated_at", "created_at"]

    def get_queryset(self) -> Any:
        return selectors.delivery_log()

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=False, methods=["get"])
    def failures(self, request: Any) -> Response:
        """What did not go out: failed for good, or given up after every try (dead letters)."""
        page = self.paginate_queryset(self.filter_queryset(selectors.failures()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Any, pk: str | None = None) -> Response:
        delivery = deliveries.retry_delivery(delivery_id=self.get_object().pk, actor=request.user)
        return Response(self.get_serializer(selectors.delivery_log().get(pk=delivery.pk)).data)
