"""Serializer fields every API shares."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import has_direction_controls

# Dates people enter (move-in, move-out, hire, roster days) fall within these; 9999-12-31 is a
# typo or a probe, and date arithmetic on it (a period's end, a day after) overflows.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class BoundedDateField(serializers.DateField):
    """A DateField refusing dates outside EARLIEST_DATE..LATEST_DATE with a field error.

    ModelSerializers use it for every model DateField (CoreConfig.ready); declare it instead of
    serializers.DateField in hand-written serializers."""

    default_error_messages = {"out_of_range": _("日期须在 {earliest} 至 {latest} 之间。")}

    def to_internal_value(self, value):  # type: ignore[no-untyped-def]
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        return parsed


class TextField(serializers.CharField):
    """Text people type (a name, a reason, a note): outer whitespace trimmed (so whitespace alone is
    blank), and bidirectional control characters refused with a field error (core.text). Other
    control characters never get this far (core.input_guard)."""

    default_error_messages = {"direction": _("不能包含文字方向控制字符。")}

    def to_internal_value(self, data):  # type: ignore[no-untyped-def]
        value = super().to_internal_value(data)
        if has_direction_controls(value):
            self.fail("direction")
        return value


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "08:30"})
class HourMinuteField(serializers.TimeField):
    """A time of day as people read it, "08:30" (seconds accepted on input). Documented as such:
    OpenAPI's `format: time` would promise seconds and an offset, which we never send."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)
