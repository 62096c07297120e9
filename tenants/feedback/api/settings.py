"""Feedback API: the reply rule (投诉建议设置), the handlers one may assign to, and the figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.estates.models import Estate
from tenants.feedback import selectors, services
from tenants.feedback.models import FeedbackSettings, Kind


class FeedbackSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackSettings
        fields = ["reply_hours"]
        extra_kwargs = {"reply_hours": {"min_value": 1, "max_value": 720}}


class FeedbackSettingsView(generics.GenericAPIView):
    """投诉建议设置: within how many hours of filing an item must be replied to (default 24)."""

    required_permission = {"GET": "feedback.handle", "*": "feedback.manage"}
    serializer_class = FeedbackSettingsSerializer

    def get(self, request: Request) -> Response:
        return Response(FeedbackSettingsSerializer(selectors.feedback_settings()).data)

    @extend_schema(responses=FeedbackSettingsSerializer)
    def patch(self, request: Request) -> Response:
        form = FeedbackSettingsSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        saved = services.update_settings(actor=request.user, **form.validated_data)
        return Response(FeedbackSettingsSerializer(saved).data)


class FeedbackHandlerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FeedbackHandlerList(APIView):
    """Who an item can be assigned to: the active staff who handle feedback."""

    required_permission = "feedback.handle"

    @extend_schema(responses=FeedbackHandlerSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([{"id": user.pk, "name": user.name} for user in selectors.handlers()])


class FeedbackStatsParams(serializers.Serializer):
    months = serializers.IntegerField(required=False, default=12, min_value=1, max_value=36)
    estate = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def validate_estate(self, value: int) -> int:
        if not Estate.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("小区不存在。"))
        return value


class FeedbackMonthCountSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (Asia/Shanghai)")
    kind = serializers.ChoiceField(choices=Kind.choices)
    count = serializers.IntegerField()


class FeedbackKindCountsSerializer(serializers.Serializer):
    complaint = serializers.IntegerField()
    suggestion = serializers.IntegerField()
    consultation = serializers.IntegerField()
    praise = serializers.IntegerField()


class FeedbackMonthSummarySerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (Asia/Shanghai)")
    count = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Of them, answered late (or not answered and past the reply time).")
    rated = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True, help_text="Average rating (1–5) of the month's rated items.")


class FeedbackStatsSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    total = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Of the items filed in the period, answered late.")
    monthly = FeedbackMonthSummarySerializer(many=True, help_text="Months with items only, oldest first.")
    by_kind = FeedbackKindCountsSerializer()
    by_month = FeedbackMonthCountSerializer(many=True)
    rated = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True, help_text="Average rating (1–5) of the rated items.")
    overdue = serializers.IntegerField(help_text="Waiting for a reply past its time, now.")
    open = serializers.IntegerField(help_text="Waiting for a reply, now.")


def _first_of_month(months: int) -> datetime:
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return timezone.make_aware(datetime(year, month, 1))


class FeedbackStatsView(APIView):
    """投诉建议统计: items by kind and month over the last `months` months (this one included), the
    satisfaction average, and how many wait for a reply and are overdue now."""

    required_permission = ("feedback.handle", "analytics.view")

    @extend_schema(parameters=[FeedbackStatsParams], responses=FeedbackStatsSerializer)
    def get(self, request: Request) -> Response:
        params = FeedbackStatsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        start = _first_of_month(params.validated_data["months"])
        figures: dict[str, Any] = selectors.stats(
            start=start, end=timezone.now() + timedelta(seconds=1), estate=params.validated_data.get("estate")
        )
        return Response(FeedbackStatsSerializer({"date_from": start.date(), **figures}).data)
