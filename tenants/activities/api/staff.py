"""Staff: activities' CRUD with their participation (exportable), publish, cancel, finish, check-in and
the figures. The sign-up list is api.signups."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exports import ExcelExportMixin
from tenants.activities import selectors, services
from tenants.activities.api.signups import StaffSignUpSerializer
from tenants.activities.models import Activity, Status
from tenants.estates.models import Estate


class ActivitySerializer(serializers.ModelSerializer):
    estates = serializers.PrimaryKeyRelatedField(queryset=Estate.objects.all(), many=True, required=False)
    confirmed_people = serializers.IntegerField(read_only=True, default=0)
    waiting_count = serializers.IntegerField(read_only=True, default=0)
    signup_count = serializers.IntegerField(read_only=True, default=0, help_text="Confirmed sign-ups.")
    checked_in_people = serializers.IntegerField(read_only=True, default=0)
    no_show_people = serializers.IntegerField(
        read_only=True, default=0, help_text="Confirmed people not checked in, once the activity has started."
    )
    paid_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, default=None, help_text="Fees paid, net of refunds."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "description",
            "cover_url",
            "start_at",
            "end_at",
            "place",
            "target",
            "estates",
            "capacity",
            "signup_deadline",
            "max_people",
            "fee",
            "fee_item",
            "remind_hours_before",
            "status",
            "published_at",
            "closed_at",
            "confirmed_people",
            "waiting_count",
            "signup_count",
            "checked_in_people",
            "no_show_people",
            "paid_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "published_at", "closed_at", "created_at", "updated_at"]


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


class CheckInResultSerializer(serializers.Serializer):
    already_checked_in = serializers.BooleanField()
    signup = StaffSignUpSerializer()


class EstateTallySerializer(serializers.Serializer):
    estate = serializers.IntegerField()
    estate_name = serializers.CharField()
    confirmed = serializers.IntegerField()
    confirmed_people = serializers.IntegerField()
    waiting = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    checked_in = serializers.IntegerField()


class ActivityStatsSerializer(serializers.Serializer):
    capacity = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    confirmed_people = serializers.IntegerField()
    waiting = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    checked_in_people = serializers.IntegerField()
    no_show_people = serializers.IntegerField(help_text="Confirmed people not checked in; 0 before the start.")
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Fees paid, net of refunds.")
    owing = serializers.IntegerField(help_text="Confirmed sign-ups whose fee is unpaid or partly paid.")
    by_estate = EstateTallySerializer(many=True)


class MonthTallySerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, by the activities' start.")
    activities = serializers.IntegerField()
    cancelled_activities = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    confirmed_people = serializers.IntegerField()
    waiting = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    checked_in = serializers.IntegerField()


class YearParams(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class ActivityViewSet(ExcelExportMixin, viewsets.ModelViewSet):
    """社区活动: staff with activities.manage write, publish, cancel, finish, check in and count. The
    list carries each activity's participation; `?format=xlsx` downloads it (参与统计)."""

    serializer_class = ActivitySerializer
    required_permission = "activities.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    error_statuses = {"destroy": [409], "partial_update": [409], "publish": [409], "cancel": [409], "finish": [409]}
    filterset_fields = {"status": ["exact"], "target": ["exact"], "start_at": ["year"]}
    export_title = _("活动参与统计")  # type: ignore[assignment]  # core.exports types it str; rendered with str()
    export_columns = [
        ("title", _("活动")),
        ("start_at", _("开始时间")),
        ("place", _("地点")),
        ("status", _("状态")),
        ("capacity", _("名额（人）")),
        ("signup_count", _("报名数")),
        ("confirmed_people", _("报名人数")),
        ("waiting_count", _("候补数")),
        ("checked_in_people", _("签到人数")),
        ("no_show_people", _("未到人数")),
        ("fee", _("费用（元/人）")),
        ("paid_amount", _("已收金额（元）")),
    ]
    export_labels = {"status": dict(Status.choices)}
    search_fields = ["title", "place"]

    def get_queryset(self):
        return selectors.staff_activities()

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        activity = services.create_activity(actor=request.user, **form.validated_data)
        return self._answer(activity, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        form = self.get_serializer(self.get_object(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        activity = services.update_activity(activity=form.instance, actor=request.user, **form.validated_data)
        return self._answer(activity)

    def perform_destroy(self, instance):
        services.delete_activity(activity=instance, actor=self.request.user)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._answer(services.publish_activity(activity=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(services.cancel_activity(activity=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self._answer(services.finish_activity(activity=self.get_object(), actor=request.user))

    @extend_schema(request=CheckInSerializer, responses=CheckInResultSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        activity = self.get_object()  # another company's or a missing activity: 404 before any input check
        form = CheckInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signup, first = services.check_in(activity=activity, code=form.validated_data["code"], actor=request.user)
        answer = {"already_checked_in": not first, "signup": selectors.signups(signup.activity).get(pk=signup.pk)}
        return Response(CheckInResultSerializer(answer).data)

    @extend_schema(responses=ActivityStatsSerializer)
    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        return Response(ActivityStatsSerializer(selectors.activity_stats(self.get_object())).data)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="The year (by start); this year by default.")],
        responses=MonthTallySerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="monthly-stats", url_name="monthly-stats", pagination_class=None)
    def monthly_stats(self, request):
        params = YearParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or timezone.localdate().year
        return Response(MonthTallySerializer(selectors.monthly_stats(year), many=True).data)
