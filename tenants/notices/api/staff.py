"""Staff: announcements' CRUD, publish (now or at a time), withdraw, and read figures."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import text
from core.exports import ExcelExportMixin
from tenants.estates.models import Building, Estate, House
from tenants.notices import selectors, services
from tenants.notices.models import Announcement, Kind

UNREAD_LIMIT = 500


class NoticeSerializer(serializers.ModelSerializer):
    estates = serializers.PrimaryKeyRelatedField(queryset=Estate.objects.all(), many=True, required=False)
    buildings = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), many=True, required=False)
    read_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "kind",
            "target",
            "estates",
            "buildings",
            "status",
            "publish_at",
            "published_at",
            "withdrawn_at",
            "expires_at",
            "pinned",
            "read_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "publish_at", "published_at", "withdrawn_at", "created_at", "updated_at"]


class PublishSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class UnreadHouseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    house = serializers.CharField(source="label")
    estate_name = serializers.CharField(source="estate.name")


class NoticeStatsSerializer(serializers.Serializer):
    read_count = serializers.IntegerField()
    recipient_count = serializers.IntegerField()
    unread_house_count = serializers.IntegerField(allow_null=True)
    unread_houses = UnreadHouseSerializer(many=True, help_text="Outage notices only: houses nobody has read it in.")


class NoticeViewSet(viewsets.ModelViewSet):
    """社区公告: staff with notices.manage write, publish, withdraw and follow the reads."""

    serializer_class = NoticeSerializer
    required_permission = "notices.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_statuses = {"destroy": [409], "publish": [409], "withdraw": [409]}
    filterset_fields = ["status", "kind", "target", "pinned"]
    search_fields = ["title"]

    def get_queryset(self):
        return selectors.staff_notices()

    def _answer(self, notice: Announcement, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = services.create_notice(actor=request.user, **form.validated_data)
        return self._answer(notice, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        notice = services.update_notice(notice=form.instance, actor=request.user, **form.validated_data)
        return self._answer(notice)

    def perform_destroy(self, instance):
        services.delete_notice(notice=instance, actor=self.request.user)

    @extend_schema(request=PublishSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        form = PublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = services.publish_notice(notice=self.get_object(), actor=request.user, **form.validated_data)
        return self._answer(notice)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        notice = services.withdraw_notice(notice=self.get_object(), actor=request.user)
        return self._answer(notice)

    @extend_schema(responses=NoticeStatsSerializer)
    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        notice = self.get_object()
        answer: dict = {**selectors.stats(notice), "unread_house_count": None, "unread_houses": []}
        if notice.kind == Kind.OUTAGE:
            unread = list(selectors.unread_houses(notice)[: UNREAD_LIMIT + 1])
            answer["unread_house_count"] = len(unread) if len(unread) <= UNREAD_LIMIT else None
            answer["unread_houses"] = unread[:UNREAD_LIMIT]
        return Response(NoticeStatsSerializer(answer).data)


@extend_schema(parameters=[OpenApiParameter("notice", int, description="The outage notice (required).")])
class NoticeUnreadHouseList(ExcelExportMixin, generics.ListAPIView):
    """未读房屋: the houses an outage notice targets none of whose occupants has read it, paginated
    or as a spreadsheet (`?format=xlsx`) for the staff who go and knock. Empty for any other notice."""

    required_permission = "notices.manage"
    serializer_class = UnreadHouseSerializer
    filter_backends: list = []
    export_columns = [("estate_name", _("小区")), ("house", _("房屋"))]
    export_text_fields = ("house",)
    export_title = _("未读房屋")  # type: ignore[assignment]  # core.exports types it str; rendered with str()

    def get_queryset(self):
        notice_id = text.query_id(self.request.query_params.get("notice"))
        notice = (
            selectors.staff_notices().filter(pk=notice_id, kind=Kind.OUTAGE).first() if notice_id is not None else None
        )
        return selectors.unread_houses(notice) if notice is not None else House.objects.none()
