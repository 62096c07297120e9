"""催缴提醒: a cashier sends arrears reminders in bulk from the arrears list — the selected houses,
or every house the list's filter (estate, building) shows. Answered at once with the job to poll
(/api/v1/jobs/{id}/): its progress, then its result (sent, already reminded today, no app users,
nothing owed)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.services import reminders
from tenants.estates.models import Building, Estate, House

MAX_ID = 2**31 - 1


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text=help_text)


class ArrearsReminderSerializer(serializers.Serializer[Any]):
    houses = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        max_length=reminders.MAX_SELECTED,
        help_text="The selected houses; without them, every house of the filter.",
    )
    estate = _id("The arrears list's estate filter (when no houses are selected).")
    building = _id("The arrears list's building filter (when no houses are selected).")

    def validate_houses(self, value: list[int]) -> list[int]:
        found = set(House.objects.filter(pk__in=value).values_list("pk", flat=True))
        missing = sorted(set(value) - found)
        if missing:
            raise serializers.ValidationError(_("房屋 %(ids)s 不存在。") % {"ids": ", ".join(map(str, missing))})
        return value

    def validate_estate(self, value: int | None) -> int | None:
        if value is not None and not Estate.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("小区不存在。"))
        return value

    def validate_building(self, value: int | None) -> int | None:
        if value is not None and not Building.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("楼栋不存在。"))
        return value


class ArrearsReminderJobSerializer(serializers.Serializer[Any]):
    job = serializers.UUIDField(help_text="Poll /api/v1/jobs/{job}/; its result counts sent, already, no_app_users.")


class ArrearsRemindersView(APIView):
    """发送催缴提醒: one arrears.reminder per house with app users, with what it owes today; a house
    is reminded at most once a day."""

    required_permission = "fees.collect"

    @extend_schema(request=ArrearsReminderSerializer, responses={202: ArrearsReminderJobSerializer})
    def post(self, request: Request) -> Response:
        form = ArrearsReminderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        job = reminders.start_reminders(
            actor=request.user, houses=data.get("houses"), estate=data.get("estate"), building=data.get("building")
        )
        return Response(ArrearsReminderJobSerializer({"job": job.pk}).data, status=202)


PATHS = [path("billing/arrears/reminders/", ArrearsRemindersView.as_view(), name="billing-arrears-reminders")]
