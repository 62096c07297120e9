"""What the staff API's modules share: permissions, role choices, the month parameter."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from accounts.roles import STAFF_ROLES, Role

VIEW, MANAGE, CLOCK = "staff.view", "staff.manage", "staff.clock"


READ_OR_MANAGE = {"GET": VIEW, "*": MANAGE}


STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in STAFF_ROLES]


MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; this month when omitted")


def month_param(request) -> date:
    """?month=2026-11 → date(2026, 11, 1); this month when absent; a field error when malformed."""
    raw = (request.query_params.get("month") or "").strip()
    if not raw:
        return timezone.localdate().replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    raise serializers.ValidationError({"month": [_("月份格式应为 YYYY-MM，例如 2026-11。")]})
